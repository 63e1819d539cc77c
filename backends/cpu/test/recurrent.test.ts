/** GRU and LSTM layers on the cpu backend: outputs and weight gradients equal the reference backend's (float32). */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-cpu";

/** Output and weight gradients of sum(layer(x) * r) on `device`, with the layer's weights set from `weights`. */
function run(device: string, make: () => tf.layers.RNN, weights: Float32Array[] | null): { y: number[]; grads: number[][]; weights: Float32Array[] } {
  type Out = { y: number[]; grads: number[][]; weights: Float32Array[] };
  let out: Out | undefined;
  tf.withDevice(device, () =>
    tf.tidy(() => {
      const layer = make();
      const x = tf.randomNormal([3, 7, 5], 0, 1, "float32", 21);
      const r = tf.randomNormal([3, 7, 4], 0, 1, "float32", 22);
      layer.apply(x);
      if (weights) layer.variables.forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape)));
      const [y, pairs] = tf.implicitValueAndGradients(() => tf.sum(tf.mul(layer.apply(x), r)))();
      out = { y: [y.item() as number], grads: pairs.map(([g]) => Array.from(g.dataSync() as Float32Array)), weights: layer.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array)) };
      layer.dispose();
    }),
  );
  return out!;
}

describe("recurrent layers on cpu", () => {
  for (const [name, make] of [
    ["GRU", () => new tf.layers.GRU({ units: 4, returnSequences: true })],
    ["GRU resetAfter false", () => new tf.layers.GRU({ units: 4, returnSequences: true, resetAfter: false })],
    ["LSTM", () => new tf.layers.LSTM({ units: 4, returnSequences: true, goBackwards: true })],
  ] as const) {
    it(`${name}: value and gradients match the reference backend`, async () => {
      await tf.ready("cpu");
      const ref = run("reference", make, null);
      const cpu = run("cpu", make, ref.weights);
      expect(Math.abs(cpu.y[0]! - ref.y[0]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.y[0]!)));
      expect(cpu.grads.length).toBe(ref.grads.length);
      ref.grads.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(cpu.grads[k]![i]! - v), `weight ${k} [${i}]`).toBeLessThan(1e-4)));
    });
  }
});
