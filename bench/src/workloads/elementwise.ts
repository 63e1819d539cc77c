/**
 * Memory-bound elementwise work, in ns per element: a*b+c (two ops, 1M and 16M elements),
 * exp and tanh over 1M, and sum over 16M (a full reduction to a scalar).
 */
import { uniform } from "../data.js";
import { nsPerElement } from "../metrics.js";
import type { Case, Engine, HostArray, Workload } from "../types.js";
import { once, readAndFree } from "./util.js";

const M = 1 << 20;

function mulAddCase(n: number, label: string): Case {
  const [a, b, c] = [1, 2, 3].map((s) => once(() => uniform([n], s * 101 + n)));
  return {
    workload: "mulAdd",
    id: `mulAdd ${label}`,
    metric: nsPerElement(n),
    expected: once(() => {
      const [x, y, z] = [a!(), b!(), c!()];
      return x.data.map((v, i) => Math.fround(v * y.data[i]!) + z.data[i]!);
    }),
    tolerance: 1e-6,
    weight: n > M ? "heavy" : "light",
    async prepare<T>(engine: Engine<T>) {
      const ts = [a!(), b!(), c!()].map((h) => engine.fromHost(h)) as [T, T, T];
      return {
        run: () => readAndFree(engine, () => engine.mulAdd(...ts)),
        dispose: () => ts.forEach((t) => engine.dispose(t)),
      };
    },
  };
}

function unaryCase(name: "exp" | "tanh", f: (x: number) => number): Case {
  const a = once(() => uniform([M], name === "exp" ? 7 : 8, -4, 4));
  return {
    workload: name,
    id: `${name} 1M`,
    metric: nsPerElement(M),
    expected: once(() => a().data.map(f)),
    tolerance: 1e-5,
    weight: "light",
    async prepare<T>(engine: Engine<T>) {
      const x = engine.fromHost(a());
      return {
        run: () => readAndFree(engine, () => engine[name](x)),
        dispose: () => engine.dispose(x),
      };
    },
  };
}

function sumCase(n: number, label: string): Case {
  const a = once((): HostArray => uniform([n], 9));
  return {
    workload: "sum",
    id: `sum ${label}`,
    metric: nsPerElement(n),
    expected: once(() => {
      let s = 0;
      for (const v of a().data) s += v;
      return new Float32Array([s]);
    }),
    // Float32 accumulation orders differ; errors are measured against sqrt(n), the result's typical size.
    tolerance: 1e-3,
    errorScale: Math.sqrt(n),
    weight: "heavy",
    async prepare<T>(engine: Engine<T>) {
      const x = engine.fromHost(a());
      return {
        run: () => readAndFree(engine, () => engine.sum(x)),
        dispose: () => engine.dispose(x),
      };
    },
  };
}

export const elementwiseWorkloads: Workload[] = [
  { name: "mulAdd", description: "a*b+c, float32", cases: () => [mulAddCase(M, "1M"), mulAddCase(16 * M, "16M")] },
  { name: "exp", description: "exp over 1M float32", cases: () => [unaryCase("exp", Math.exp)] },
  { name: "tanh", description: "tanh over 1M float32", cases: () => [unaryCase("tanh", Math.tanh)] },
  { name: "sum", description: "sum of 16M float32 to a scalar", cases: () => [sumCase(16 * M, "16M")] },
];
