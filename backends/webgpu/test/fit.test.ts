/**
 * model.fit and evaluate on "gpu" (reads are asynchronous only there): the same model, data and
 * seed give the reference backend's per-epoch losses within float32 tolerance.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-webgpu";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "fit on webgpu" : `fit on webgpu (skipped: ${availability.reason})`;

async function run(device: string): Promise<{ losses: number[]; evaluated: number }> {
  return tf.withDevice(device, async () => {
    tf.setRandomSeed(7);
    const xs = tf.tensor(Array.from({ length: 24 }, (_, i) => [i / 12 - 1, (i % 5) / 5]));
    const ys = tf.tensor(Array.from({ length: 24 }, (_, i) => [2 * (i / 12 - 1) - (i % 5) / 5 + 0.5]));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [2], activation: "tanh" }), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError", metrics: ["mae"] });
    const h = await model.fit(xs, ys, { epochs: 5, batchSize: 8, shuffle: false, verbose: 0, validationData: [xs, ys] });
    const [loss] = model.evaluate(xs, ys) as tf.Tensor[];
    const evaluated = (await loss!.data())[0]!;
    tf.dispose([xs, ys, loss]);
    model.dispose();
    return { losses: h.history.loss!, evaluated };
  });
}

suite(title, () => {
  it("matches the reference backend epoch by epoch", async () => {
    await tf.ready("webgpu");
    const ref = await run("reference");
    const gpu = await run("gpu");
    expect(gpu.losses).toHaveLength(5);
    gpu.losses.forEach((l, i) => expect(l).toBeCloseTo(ref.losses[i]!, 3));
    expect(gpu.losses[4]!).toBeLessThan(gpu.losses[0]!);
    expect(gpu.evaluated).toBeCloseTo(ref.evaluated, 3);
  }, 120_000);
});
