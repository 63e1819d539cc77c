/** Recurrent layers and multinomial inside headless Chromium: Keras' GRU formula, training, seeded samples equal to Node's. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("recurrent layers in the browser", () => {
  it("a one-unit GRU matches Keras' formula by hand", () => {
    const c = tf.layers.initializers.constant;
    const gru = new tf.layers.GRU({ units: 1, kernelInitializer: c(0.5), recurrentInitializer: c(-1), biasInitializer: c(0.1) });
    const y = gru.apply(tf.tensor([[[1], [2]]], [1, 2, 1], "float64"));
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    let h = 0;
    for (const x of [1, 2]) {
      const rec = -h + 0.1;
      const z = sig(0.5 * x + 0.1 + rec);
      const r = sig(0.5 * x + 0.1 + rec);
      const hh = Math.tanh(0.5 * x + 0.1 + r * rec);
      h = z * h + (1 - z) * hh;
    }
    expect(Math.abs((y.dataSync()[0] as number) - h)).toBeLessThan(1e-12);
  });
  it("an LSTM trains: the loss falls over ten SGD steps", () => {
    const lstm = new tf.layers.LSTM({ units: 4 });
    const x = tf.randomNormal([4, 6, 3], 0, 1, "float32", 3);
    const target = tf.randomNormal([4, 4], 0, 0.5, "float32", 4);
    const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.5 });
    const loss = () => tf.mean(tf.square(tf.sub(lstm.apply(x), target)));
    const first = tf.tidy(() => loss().item() as number);
    for (let i = 0; i < 10; i++) opt.minimize(loss, true)!.dispose();
    expect(tf.tidy(() => loss().item() as number)).toBeLessThan(first);
  });
  it("multinomial gives the same seeded samples as in Node", () => {
    expect(tf.multinomial([0, 1, 2, 3], 12, 42).arraySync()).toEqual([3, 3, 3, 3, 3, 0, 3, 3, 3, 3, 3, 3]);
  });
});
