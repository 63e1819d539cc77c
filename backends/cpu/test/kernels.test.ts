/**
 * The CPU backend's wasm kernels against the reference backend, on a 1-thread instance and
 * a 2-thread instance with low thresholds (so the same sizes run split across workers),
 * for odd sizes, broadcasting, transposes and batches. New buffers are filled with NaN bytes,
 * so an output element a kernel leaves unwritten shows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

const instances: Record<string, Promise<CpuBackend>> = {
  cpu1k: createCpuBackend({ name: "cpu1k", threads: 1, poisonAllocations: true }),
  cpu2k: createCpuBackend({ name: "cpu2k", threads: 2, awaitWorkers: true, thresholds: { elementwise: 1000, matmul: 1000 }, poisonAllocations: true }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });
const DEVICES = ["cpu1k", "cpu2k"] as const;

beforeAll(async () => {
  await tf.ready("cpu1k");
  await tf.ready("cpu2k");
});

const t = (shape: number[], seed: number, lo = -2, hi = 2) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);

describe.each(DEVICES)("wasm kernels on %s", (device) => {
  it("runs split across threads on the 2-thread instance", async () => {
    const b = await instances[device]!;
    const before = b.context.parallelRuns;
    tf.withDevice(device, () => tf.tidy(() => void tf.add(t([100, 50], 1), t([50], 2)).dataSync()));
    expect(b.context.parallelRuns - before).toBe(device === "cpu2k" ? 1 : 0);
    if (device === "cpu2k") {
      const { caller, total } = b.pool!.chunkCounts;
      expect(total).toBeGreaterThanOrEqual(8);
      expect(caller).toBeLessThanOrEqual(total);
    }
  });

  for (const [m, k, n] of [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [17, 33, 9],
    [64, 64, 64],
    [65, 130, 67],
    [1, 300, 257],
    [129, 257, 1],
    [200, 300, 100],
  ] as const) {
    it(`matmul ${m}x${k} @ ${k}x${n}`, () => {
      expectLikeReference(device, () => tf.tidy(() => tf.matmul(t([m, k], m * 7 + 1), t([k, n], n * 3 + 2))), 1e-4, 1e-4);
    });
  }
  it("matmul with transposes", () => {
    for (const [ta, tb] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const)
      expectLikeReference(device, () => tf.tidy(() => tf.matmul(t(ta ? [37, 19] : [19, 37], 5), t(tb ? [23, 37] : [37, 23], 6), ta, tb)));
  });
  it("batched matmul with broadcast batch dims", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.matmul(t([2, 1, 9, 13], 7), t([3, 13, 11], 8))));
    expectLikeReference(device, () => tf.tidy(() => tf.matmul(t([5, 33, 40], 9), t([40, 16], 10))));
  });
  it("matmul with K = 300 crosses a KC block", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.matmul(t([70, 300], 11), t([300, 24], 12))), 1e-4, 1e-4);
  });

  for (const op of ["add", "sub", "mul", "div", "minimum", "maximum"] as const) {
    it(`${op} with broadcasting (float32)`, () => {
      const f = tf[op] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      const lo = op === "div" ? 0.5 : -2;
      for (const [sa, sb] of [
        [[1001], [1001]],
        [[37, 41], [41]],
        [[37, 41], [37, 1]],
        [[3, 1, 5], [4, 1]],
        [[], [1003]],
        [[2003], []],
        [[7, 1, 9, 1], [1, 6, 1, 5]],
        [[1], [1]],
      ])
        expectLikeReference(device, () => tf.tidy(() => f(t(sa!, 3, lo, 2), t(sb!, 4, lo, 2))), 1e-6, 1e-6);
    });
  }
  for (const op of ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const) {
    it(`${op} with broadcasting (float32 with NaN, int32) gives bool`, () => {
      const f = tf[op] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      // Rounded values so that equal pairs occur; NaN on both sides.
      const r = (shape: number[], seed: number) => tf.tidy(() => tf.round(t(shape, seed, -3, 3)));
      for (const [sa, sb] of [
        [[1001], [1001]],
        [[37, 41], [41]],
        [[37, 41], [37, 1]],
        [[3, 1, 5], [4, 1]],
        [[2003], []],
        [[], [1003]],
      ])
        expectLikeReference(device, () => tf.tidy(() => f(r(sa!, 3), r(sb!, 4))), 0, 0);
      const nan = () => tf.tensor([NaN, 1, 0, -0, Infinity, NaN, -Infinity, 2, 3]);
      expectLikeReference(device, () => tf.tidy(() => f(nan(), tf.tensor([NaN, 1, -0, 0, Infinity, 2, -Infinity, NaN, 3]))), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(nan(), tf.scalar(0))), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(tf.cast(r([37, 41], 5), "int32"), tf.cast(r([41], 6), "int32"))), 0, 0);
    });
  }
  it("cast between bool, int32 and float32 (odd sizes, NaN and infinities)", () => {
    const x = () => tf.tidy(() => tf.round(t([2003], 7, -3, 3)));
    const special = () => tf.tensor([NaN, 0, -0, 1, -1, Infinity, -Infinity, 0.5, 1e-40]);
    for (const [from, to] of [
      ["float32", "bool"],
      ["bool", "float32"],
      ["bool", "int32"],
      ["int32", "float32"],
      ["int32", "bool"],
    ] as const) {
      expectLikeReference(device, () => tf.tidy(() => tf.cast(tf.cast(x(), from), to)), 0, 0);
      if (from === "float32") expectLikeReference(device, () => tf.tidy(() => tf.cast(special(), to)), 0, 0);
    }
    expectLikeReference(device, () => tf.tidy(() => tf.cast(tf.tensor(new Int32Array([2147483647, -2147483648, 16777217, -16777217, 3])), "float32")), 0, 0);
  });
  it("tiny binary ops (computed in JavaScript) match exactly, with NaN, -0 and int32 overflow", () => {
    const xs = [NaN, -0, 0, 1e-45, 3.4e38, -7.25, 1 / 3, Infinity];
    const ys = [1, 0, -0, 1e-45, 3.4e38, 2, 3, -Infinity];
    for (const op of ["add", "sub", "mul", "div", "minimum", "maximum"] as const) {
      const f = tf[op] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      expectLikeReference(device, () => tf.tidy(() => f(tf.tensor(xs), tf.tensor(ys))), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(tf.tensor(xs.slice(0, 5), [5, 1]), tf.scalar(1 / 3))), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(tf.cast(tf.tensor(xs), "float64"), tf.cast(tf.tensor(ys), "float64"))), 0, 0);
      if (op !== "div")
        expectLikeReference(device, () => tf.tidy(() => f(tf.tensor(new Int32Array([2147483647, -2147483648, 65536, -3]), [4], "int32"), tf.tensor(new Int32Array([1, -1, 65536, 7]), [4], "int32"))), 0, 0);
    }
  });
  it("binary ops on float64 and int32", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.mul(tf.cast(t([33, 17], 1), "float64"), tf.cast(t([17], 2), "float64"))), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.add(tf.cast(t([33, 17], 1, -50, 50), "int32"), tf.cast(t([33, 1], 2, -50, 50), "int32"))), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.maximum(tf.cast(t([1003], 1, -50, 50), "int32"), tf.cast(t([1003], 2, -50, 50), "int32"))), 0, 0);
  });
  it("NaN propagates through minimum, maximum and relu", () => {
    const x = () => tf.tensor([NaN, 1, -1, 0, NaN, 2, -3, 4, 5]);
    expectLikeReference(device, () => tf.tidy(() => tf.minimum(x(), 0.5)));
    expectLikeReference(device, () => tf.tidy(() => tf.maximum(x(), 0.5)));
    expectLikeReference(device, () => tf.tidy(() => tf.relu(x())));
  });

  for (const op of ["neg", "abs", "sqrt", "square", "reciprocal", "relu", "relu6", "floor", "ceil", "round"] as const) {
    it(`${op} (float32, odd size)`, () => {
      const f = tf[op] as (a: tf.Tensor) => tf.Tensor;
      const [lo, hi] = op === "sqrt" || op === "reciprocal" ? [0.1, 8] : [-8, 8];
      expectLikeReference(device, () => tf.tidy(() => f(t([3001], 5, lo, hi))), 1e-6, 1e-6);
    });
  }
  it("exp and sigmoid (float32) across the range, with infinities and NaN", () => {
    for (const f of [tf.exp, tf.sigmoid]) {
      expectLikeReference(device, () => tf.tidy(() => f(t([4001], 8, -20, 20))), 1e-30, 3e-7);
      expectLikeReference(device, () => tf.tidy(() => f(t([4001], 9, -87, 88.7))), 1e-30, 3e-7);
      expectLikeReference(device, () => f(tf.tensor([0, -0, 1, -1, 88.8, 100, -100, -1000, Infinity, -Infinity, NaN])), 1e-37, 3e-7);
    }
  });
  it("log, log1p, rsqrt, tanh and softplus (float32) across the range, with edge values", () => {
    const edges = [0, -0, 1, -1, 1e-8, -1e-8, 1e-30, 1e-40, 0.625, -0.625, 9, -9, 50, -50, 88.8, -100, 3e38, Infinity, -Infinity, NaN];
    for (const [f, lo, hi] of [
      [tf.log, 1e-6, 1e6],
      [tf.log, 0.5, 2],
      [tf.log1p, -0.999, 100],
      [tf.log1p, -1e-3, 1e-3],
      [tf.rsqrt, 1e-4, 1e4],
      [tf.tanh, -12, 12],
      [tf.tanh, -0.7, 0.7],
      [tf.softplus, -30, 30],
    ] as const) {
      expectLikeReference(device, () => tf.tidy(() => f(t([4001], 8, lo, hi))), 1e-30, 4e-7);
      expectLikeReference(device, () => f(tf.tensor(edges)), 1e-37, 4e-7);
    }
  });
  it("transpose of odd shapes in every dtype", () => {
    for (const [shape, perm] of [
      [[37, 41], [1, 0]],
      [[5, 7, 9], [2, 0, 1]],
      [[5, 7, 9], [0, 2, 1]],
      [[3, 1, 4, 5], [3, 1, 0, 2]],
      [[130, 257], [1, 0]],
      [[6, 33], [0, 1]],
    ] as const) {
      const x = () => t([...shape], 12, -9, 9);
      expectLikeReference(device, () => tf.tidy(() => tf.transpose(x(), [...perm])), 0, 0);
      for (const dt of ["int32", "bool", "float64"] as const) expectLikeReference(device, () => tf.tidy(() => tf.transpose(tf.cast(x(), dt), [...perm])), 0, 0);
    }
  });
  it("broadcastTo and stridedSlice (negative strides, masks) in several dtypes", () => {
    for (const [from, to] of [
      [[3, 1], [2, 3, 37]],
      [[], [1001]],
      [[41], [37, 41]],
      [[1, 5, 1], [4, 5, 6]],
    ] as const) {
      expectLikeReference(device, () => tf.tidy(() => tf.broadcastTo(t([...from], 13), [...to])), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => tf.broadcastTo(tf.cast(t([...from], 13), "bool"), [...to])), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => tf.broadcastTo(tf.cast(t([...from], 13), "float64"), [...to])), 0, 0);
    }
    const x = () => t([20, 30, 7], 14);
    expectLikeReference(device, () => tf.tidy(() => tf.stridedSlice(x(), [2, 1, 0], [19, 29, 7], [3, 2, 1])), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.stridedSlice(x(), [-1, -2, 6], [0, 3, 0], [-2, -3, -1])), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.stridedSlice(tf.cast(x(), "int32"), [0, 5, 0], [20, 6, 7], [1, 1, 1], 0, 0, 0, 0, 2)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.stridedSlice(tf.cast(x(), "bool"), [4, 0, 1], [16, 30, 6], [1, 1, 2])), 0, 0);
  });
  for (const [xs, f, st, pad] of [
    [[2, 9, 11, 6], 2, 2, "valid"],
    [[3, 8, 8, 5], 3, 1, "same"],
    [[2, 13, 10, 9], [3, 2], [2, 3], "same"],
    [[1, 7, 7, 1], 3, 2, "same"],
    [[4, 12, 12, 16], 2, 2, "same"],
  ] as const) {
    it(`maxPool and its gradient: x ${JSON.stringify(xs)} window ${f} strides ${st} ${pad} (ties, NaN)`, () => {
      // Rounded values make ties, so the first-maximum rule is exercised.
      const x = () => tf.tidy(() => tf.round(t([...xs], 15, -3, 3)));
      const pool = (v: tf.Tensor) => tf.maxPool(v, f as number, st as number, pad);
      expectLikeReference(device, () => tf.tidy(() => pool(x())), 0, 0);
      const w = () => t([...(tf.tidy(() => pool(x())).shape as number[])], 16);
      expectLikeReference(device, () => tf.tidy(() => tf.gradientsFunction((v: tf.Tensor) => tf.sum(tf.mul(pool(v), w())))(x())[0]!), 1e-6, 1e-6);
      const withNaN = () => tf.tidy(() => tf.where(tf.greater(t([...xs], 17), 1.5), tf.scalar(NaN), x()));
      expectLikeReference(device, () => tf.tidy(() => pool(withNaN())), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => tf.gradientsFunction((v: tf.Tensor) => tf.sum(tf.mul(pool(v), w())))(withNaN())[0]!), 1e-6, 1e-6);
    });
  }
  it("round is half-to-even", () => {
    expectLikeReference(device, () => tf.round(tf.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 3.49, 7])), 0, 0);
  });
  it("clipByValue and leakyRelu", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.clipByValue(t([2049], 6), -0.5, 0.7)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.leakyRelu(t([2049], 7), 0.2)), 1e-7, 1e-7);
  });

  for (const [shape, axes] of [
    [[3001], [0]],
    [[37, 1001], [1]],
    [[1001, 37], [0]],
    [[5, 77, 9], [1]],
    [[4, 5, 6], [0, 1]],
    [[4, 5, 6], [1, 2]],
    [[2, 200000], [1]],
    [[0, 3], [0]],
  ] as const) {
    it(`sum and mean over ${JSON.stringify(axes)} of ${JSON.stringify(shape)}`, () => {
      expectLikeReference(device, () => tf.tidy(() => tf.sum(t([...shape], 9), [...axes])), 1e-4, 1e-5);
      expectLikeReference(device, () => tf.tidy(() => tf.mean(t([...shape], 9), [...axes])), 1e-5, 1e-5);
      expectLikeReference(device, () => tf.tidy(() => tf.max(t([...shape], 10), [...axes])), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => tf.min(t([...shape], 11), [...axes])), 0, 0);
    });
  }
  it("max and min propagate NaN, keep infinities, and handle keepDims", () => {
    const x = () => tf.tensor([[1, NaN, 3, -Infinity, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], [Infinity, -2, 0, -0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, -1]]);
    for (const f of [tf.max, tf.min]) {
      expectLikeReference(device, () => tf.tidy(() => f(x(), 1)), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(x(), 0)), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(x(), [0, 1], true)), 0, 0);
    }
  });
  it("sum over non-adjacent axes and of int32 (reference path)", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.sum(t([4, 5, 6], 2), [0, 2])), 1e-5, 1e-5);
    expectLikeReference(device, () => tf.tidy(() => tf.sum(tf.cast(t([40, 50], 2, -9, 9), "int32"), [1])), 0, 0);
  });

  for (const [xs, fs, strides, pad, dil] of [
    [[1, 5, 5, 3], [3, 3, 3, 4], 1, "same", 1],
    [[2, 9, 7, 5], [3, 2, 5, 6], 2, "valid", 1],
    [[2, 8, 8, 4], [3, 3, 4, 3], 1, "same", 2],
    [[3, 6, 6, 8], [1, 1, 8, 5], 1, "valid", 1],
    [[2, 17, 19, 3], [5, 5, 3, 9], [2, 3], "same", 1],
    [[4, 16, 16, 16], [3, 3, 16, 32], 1, "same", 1],
    [[3, 11, 13, 1], [3, 3, 1, 7], 1, "same", 1],
    [[2, 11, 13, 1], [4, 5, 1, 6], [2, 3], "same", 1],
    [[2, 12, 9, 1], [3, 3, 1, 5], 1, "same", 3],
    [[2, 10, 10, 6], [3, 3, 6, 4], 1, "valid", 2],
    // Winograd F(2x2, 3x3): odd output sizes, channels not a multiple of 4, valid padding, several batch groups.
    [[3, 7, 9, 9], [3, 3, 9, 11], 1, "same", 1],
    [[2, 9, 8, 12], [3, 3, 12, 8], 1, "valid", 1],
    [[3, 24, 24, 40], [3, 3, 40, 40], 1, "same", 1],
  ] as const) {
    it(`conv2d x ${JSON.stringify(xs)} filter ${JSON.stringify(fs)} strides ${strides} ${pad} dilation ${dil}`, () => {
      expectLikeReference(device, () => tf.tidy(() => tf.conv2d(t([...xs], 21), t([...fs], 22), strides as number, pad, "NHWC", dil)), 1e-4, 1e-4);
    });
  }
});
