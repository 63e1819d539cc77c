/** A saved model loaded without its source runs on the CPU backend like on the reference backend. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-cpu";

await tf.ready("cpu");

describe("saved model on the cpu backend", () => {
  it("predicts on cpu what the reference backend predicts, at two batch sizes", async () => {
    const w = tf.withDevice("reference", () => tf.variable(tf.randomUniform([3, 3, 1, 4], -1, 1, "float32", 2), { name: "conv/kernel" }));
    const f = (x: tf.Tensor) => tf.relu(tf.conv2d(tf.reshape(x, [-1, 6, 6, 1]), w, 1, "same")).mean([1, 2]);
    const model = tf.loadModelFromBytes(await tf.saveModelToBytes(f, { inputSignature: [{ shape: [null, 36] }] }));
    tf.resetPlacementReport();
    for (const n of [1, 5]) {
      const x = tf.randomUniform([n, 36], -1, 1, "float32", n);
      const ref = tf.withDevice("reference", () => model.predict(x) as tf.Tensor);
      const cpu = tf.withDevice("cpu", () => model.predict(x) as tf.Tensor);
      const a = await ref.data(), b = await cpu.data();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(a[i]!)));
    }
    expect(tf.placementReport().ops["cpu"]?.["conv2d"]).toBe(2);
  });
});
