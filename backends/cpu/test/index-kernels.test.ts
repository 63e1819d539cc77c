/**
 * The wasm index kernels (gather, unsortedSegmentSum, argMax, stridedSliceGrad) and int32 sums
 * against the reference, on 1 and 2 threads (low thresholds, so small cases split), with
 * poisoned allocations so an unwritten element shows; and the op's own error for bad indices.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

const instances: Record<string, Promise<CpuBackend>> = {
  cpuIx1: createCpuBackend({ name: "cpuIx1", threads: 1, poisonAllocations: true }),
  cpuIx2: createCpuBackend({ name: "cpuIx2", threads: 2, thresholds: { elementwise: 64, matmul: 1000 }, poisonAllocations: true }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });
beforeAll(async () => {
  await tf.ready("cpuIx1");
  await tf.ready("cpuIx2");
});

const t = (shape: number[], seed: number, lo = -2, hi = 2) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
const ints = (shape: number[], n: number, seed: number) => tf.tensor(Int32Array.from(randomValues(shape.reduce((a, b) => a * b, 1), seed, 0, n), (v) => Math.floor(v)), shape, "int32");

describe.each(["cpuIx1", "cpuIx2"])("index kernels on %s", (device) => {
  it("gather: embedding rows, axis 1, batch dims, int32 and bool data", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.gather(t([40, 16], 1), ints([4, 9], 40, 2))), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.gather(t([3, 7, 5], 3), ints([6], 7, 4), 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.gather(t([2, 7, 3], 5), ints([2, 4], 7, 6), 1, 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.gather(tf.cast(t([9, 3], 7, -9, 9), "int32"), ints([5], 9, 8))), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.gather(tf.cast(t([9, 3], 9), "bool"), ints([5], 9, 10))), 0, 0);
  });
  it("gather: an out-of-range index raises the op's error", () => {
    const run = () => tf.withDevice(device, () => tf.tidy(() => void tf.gather(t([4, 2], 1), tf.tensor([0, 4], [2], "int32")).dataSync()));
    expect(run).toThrow(/gather/);
  });
  it("unsortedSegmentSum: repeated segments, float32 and int32, batch dims", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.unsortedSegmentSum(t([300, 17], 11), ints([300], 5, 12), 5)), 1e-5, 1e-5);
    expectLikeReference(device, () => tf.tidy(() => tf.unsortedSegmentSum(tf.cast(t([50, 3], 13, -9, 9), "int32"), ints([50], 7, 14), 7)), 0, 0);
  });
  it("argMax: first maximum, NaN wins, any axis, int32", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.argMax(t([129, 10], 15), 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.argMax(t([5, 33, 4], 16), 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.argMax(tf.tensor([[1, 3, 3, 0], [2, NaN, 9, NaN]]), 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.argMax(tf.cast(t([20, 31], 17, -5, 5), "int32"), 0)), 0, 0);
  });
  it("stridedSliceGrad (the gradient of slice, split and strided slices)", () => {
    for (const [shape, begin, size] of [
      [[8, 96], [0, 32], [8, 32]],
      [[4, 9, 5], [1, 2, 0], [2, 6, 5]],
    ] as const) {
      const f = tf.gradientsFunction((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x, [...begin], [...size]), t([...size], 18))));
      expectLikeReference(device, () => tf.tidy(() => f(t([...shape], 19))[0]!), 1e-6, 1e-6);
    }
    const g = tf.gradientsFunction((x: tf.Tensor) => tf.sum(tf.square(tf.stridedSlice(x, [7, 1], [0, 9], [-2, 3]))));
    expectLikeReference(device, () => tf.tidy(() => g(t([9, 10], 20))[0]!), 1e-6, 1e-6);
  });
  it("int32 sums, whole and per row", () => {
    const x = () => tf.cast(t([37, 41], 21, -100, 100), "int32");
    expectLikeReference(device, () => tf.tidy(() => tf.sum(x())), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.sum(x(), 1)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.sum(x(), 0)), 0, 0);
  });
});
