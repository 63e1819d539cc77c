/**
 * One training step of an MLP 784-128-10 (relu), batch 128, mean softmax cross-entropy,
 * plain SGD (lr 0.1), in ms per step, with peak live bytes in each library's own
 * accounting. Checked on the first two steps' losses against a float64 oracle.
 */
import { oneHot, uniform } from "../data.js";
import { msPerStep } from "../metrics.js";
import { mlpOracle } from "../oracle.js";
import type { Case, Engine, MlpSpec, Workload } from "../types.js";
import { once } from "./util.js";

const BATCH = 128;

/** Glorot-uniform weights, zero biases, pixel-like inputs in [0, 1), random labels. */
const spec = once(
  (): MlpSpec => ({
    w1: uniform([784, 128], 31, -Math.sqrt(6 / 912), Math.sqrt(6 / 912)),
    b1: { data: new Float32Array(128), shape: [128] },
    w2: uniform([128, 10], 32, -Math.sqrt(6 / 138), Math.sqrt(6 / 138)),
    b2: { data: new Float32Array(10), shape: [10] },
    x: uniform([BATCH, 784], 33, 0, 1),
    labels: oneHot(BATCH, 10, 34),
    learningRate: 0.1,
  }),
);

const mlpCase: Case = {
  workload: "mlpStep",
  id: "mlp 784-128-10 step",
  metric: msPerStep,
  expected: once(() => Float32Array.from(mlpOracle(spec()))),
  tolerance: 1e-4,
  checkRuns: 2,
  weight: "heavy",
  async prepare<T>(engine: Engine<T>) {
    const trainer = engine.mlp(spec());
    let peak: number | null = 0;
    return {
      run: async () => {
        const loss = await trainer.step();
        const p = trainer.peakBytesLastStep();
        peak = p === null || peak === null ? null : Math.max(peak, p);
        return loss;
      },
      extras: () => ({ peakBytes: peak }),
      dispose: () => trainer.dispose(),
    };
  },
};

export const mlpWorkload: Workload = {
  name: "mlpStep",
  description: "MLP 784-128-10 training step, batch 128, softmax cross-entropy, SGD",
  cases: () => [mlpCase],
};
