/**
 * Eager dispatch overhead: 100,000 adds of two 1-element tensors per iteration, each
 * result freed at once, the last one read (us per op). Measures everything but the math.
 */
import { usPerOp } from "../metrics.js";
import type { Case, Engine, Workload } from "../types.js";

const OPS = 100_000;

function dispatchCase(ops: number): Case {
  return {
    workload: "dispatch",
    id: "dispatch add 1-element",
    metric: usPerOp(ops),
    expected: () => new Float32Array([3.75]),
    tolerance: 0,
    weight: "heavy",
    async prepare<T>(engine: Engine<T>) {
      const a = engine.fromHost({ data: new Float32Array([1.5]), shape: [1] });
      const b = engine.fromHost({ data: new Float32Array([2.25]), shape: [1] });
      return {
        run: async () => {
          for (let i = 1; i < ops; i++) engine.dispose(engine.add(a, b));
          const last = engine.add(a, b);
          const out = await engine.read(last);
          engine.dispose(last);
          return out;
        },
        dispose: () => [a, b].forEach((t) => engine.dispose(t)),
      };
    },
  };
}

export const dispatchWorkload: Workload = {
  name: "dispatch",
  description: `add of two 1-element tensors, ${OPS.toLocaleString("en-US")} times`,
  cases: () => [dispatchCase(OPS)],
};
