/**
 * matmul N x N (float32), N = 64, 256, 512, 1024, in GFLOP/s (2 N^3 flops), and 2048 on the
 * GPU engines only. The reference backend is skipped at 1024, where its plain loops take
 * many seconds per call.
 */
import { uniform } from "../data.js";
import { gflops } from "../metrics.js";
import { matmulOracle } from "../oracle.js";
import type { Case, Engine, Workload } from "../types.js";
import { once, readAndFree } from "./util.js";

/** Engines that get the 2048 case. */
const GPU_ENGINES = ["eager-webgpu", "eager-webgl"];

function matmulCase(n: number): Case {
  const a = once(() => uniform([n, n], 11 + n));
  const b = once(() => uniform([n, n], 12 + n));
  return {
    workload: "matmul",
    id: `matmul ${n}`,
    metric: gflops(2 * n * n * n),
    expected: once(() => matmulOracle(a(), b())),
    tolerance: 1e-4,
    skipReference: n >= 1024 ? "reference backend skipped at N=1024 (plain loops: many seconds per call)" : undefined,
    onlyEngines: n >= 2048 ? { names: GPU_ENGINES, reason: "N=2048 runs on the GPU engines only" } : undefined,
    weight: n >= 512 ? "heavy" : "light",
    async prepare<T>(engine: Engine<T>) {
      const [x, y] = [engine.fromHost(a()), engine.fromHost(b())];
      return {
        run: () => readAndFree(engine, () => engine.matmul(x, y)),
        dispose: () => [x, y].forEach((t) => engine.dispose(t)),
      };
    },
  };
}

export const matmulWorkload: Workload = {
  name: "matmul",
  description: "matmul N x N, float32",
  cases: () => [64, 256, 512, 1024, 2048].map(matmulCase),
};
