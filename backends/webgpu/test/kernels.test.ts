/**
 * Kernel paths the conformance suite's small cases do not reach: the tiled matmul (every
 * dimension >= 64) with transposes and broadcast batches, long tree reductions, and a topk
 * over long rows, each against the reference backend.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "webgpu kernels" : `webgpu kernels (skipped: ${availability.reason})`;

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

/** Run `f` on the reference and on webgpu with the same inputs; compare within float32 tolerance. */
async function same(shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, atol = 1e-4): Promise<void> {
  const data = shapes.map((s, i) => values(s.reduce((a, b) => a * b, 1), i + 7));
  const run = async (device: string) => {
    const y = tf.withDevice(device, () => tf.tidy(() => f(...data.map((d, i) => tf.tensor(d, shapes[i]!)))));
    const v = await y.data();
    y.dispose();
    return v;
  };
  const expected = await run("reference");
  const actual = await run("webgpu");
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(atol);
}

suite(title, () => {
  it("tiled matmul: 70x65 by 65x67", () => same([[70, 65], [65, 67]], (a, b) => tf.matmul(a, b)));
  it("tiled matmul with both transposes", () => same([[65, 70], [67, 65]], (a, b) => tf.matmul(a, b, true, true)));
  it("tiled matmul with broadcast batch dimensions", () => same([[2, 1, 64, 66], [3, 66, 65]], (a, b) => tf.matmul(a, b)));
  it("tree reductions over 100000 elements (sum, max, mean over a middle axis)", async () => {
    await same([[100000]], (x) => tf.sum(x), 2e-3);
    await same([[50, 2000]], (x) => tf.max(x, 1));
    await same([[20, 300, 7]], (x) => tf.mean(x, 1));
  });
  it("topk over rows of 300, sorted and unsorted", async () => {
    await same([[4, 300]], (x) => tf.topk(x, 17, true).values);
    await same([[4, 300]], (x) => tf.cast(tf.topk(x, 17, false).indices, "float32"), 0);
  });
});
