/**
 * conv2d, batch 32, 3x3 filters, stride 1, "same" padding, NHWC: 28x28x1 -> 32 and
 * 14x14x32 -> 64 (ms per call). Engines without conv2d are skipped with their reason.
 */
import { uniform } from "../data.js";
import { milliseconds } from "../metrics.js";
import { conv2dOracle } from "../oracle.js";
import type { Case, Engine, Workload } from "../types.js";
import { once, readAndFree } from "./util.js";

function convCase(size: number, inC: number, outC: number): Case {
  const batch = 32;
  const x = once(() => uniform([batch, size, size, inC], 21 + inC, 0, 1));
  const f = once(() => uniform([3, 3, inC, outC], 22 + outC, -0.5, 0.5));
  const outShape = [batch, size, size, outC];
  return {
    workload: "conv2d",
    id: `conv2d ${size}x${size}x${inC}->${outC}`,
    metric: milliseconds,
    expected: once(() => conv2dOracle(x(), f())),
    tolerance: 1e-4,
    weight: "heavy",
    async prepare<T>(engine: Engine<T>) {
      const conv = engine.conv2d;
      if (!conv) throw new Error(engine.conv2dMissing ?? "conv2d is missing");
      const [xt, ft] = conv.inputs(x(), f());
      return {
        run: async () => conv.toNhwc(await readAndFree(engine, () => conv.run(xt, ft)), outShape),
        dispose: () => [xt, ft].forEach((t) => engine.dispose(t)),
      };
    },
  };
}

export const convWorkload: Workload = {
  name: "conv2d",
  description: "conv2d batch 32, 3x3, same padding",
  cases: () => [convCase(28, 1, 32), convCase(14, 32, 64)],
};
