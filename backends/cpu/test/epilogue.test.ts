/** Epilogue kernels on the cpu backend: a matmul, conv2d or reduction with its elementwise tail equals the ops run apart. */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { agree } from "../../../packages/core/test/helpers/random-graph.js";
import { randomValues } from "./helpers.js";

const instances: Record<string, Promise<CpuBackend>> = {
  tail1: createCpuBackend({ name: "tail1", threads: 1 }),
  tail2: createCpuBackend({ name: "tail2", threads: 2, thresholds: { elementwise: 16, matmul: 64 } }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });

beforeAll(async () => {
  await tf.ready();
  for (const name of Object.keys(instances)) await tf.ready(name);
});

const rand = (shape: number[], seed: number, dtype: "float32" | "int32" | "bool" = "float32"): tf.Tensor => {
  const v = randomValues(Math.max(1, shape.reduce((a, b) => a * b, 1)), seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from(v.subarray(0, n), (x) => (dtype === "bool" ? x > 0 : dtype === "int32" ? Math.round(x * 2) : x)), shape, dtype);
};

/**
 * `apart`: the head's kernel runs, then the tail in place over its output ("always", or on
 * "threads" > 1 where the head splits rows into segments); otherwise the tail runs per chunk of
 * the head's own kernel.
 */
type Case = { name: string; f: (...xs: tf.Tensor[]) => tf.Tensor; shapes: (number[] | { shape: number[]; dtype: "int32" | "bool" })[]; head: string; apart?: "always" | "threads" };

const CASES: Case[] = [
  { name: "matmul + bias + relu", f: (x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b)), shapes: [[33, 20], [20, 16], [16]], head: "matmul" },
  { name: "matmul + bias + tanh, N not a multiple of 8", f: (x, w, b) => tf.tanh(tf.add(tf.matMul(x, w), b)), shapes: [[70, 9], [9, 13], [13]], head: "matmul" },
  { name: "transposed matmul with a column extra and a full extra", f: (x, w, c, z) => tf.mul(tf.sub(tf.matMul(x, w, true, true), c), z), shapes: [[12, 67], [10, 12], [67, 1], [67, 10]], head: "matmul" },
  { name: "batched matmul with broadcast batches and a per-batch extra", f: (x, w, s) => tf.sigmoid(tf.mul(tf.matMul(x, w), s)), shapes: [[3, 1, 17, 5], [4, 5, 11], [3, 4, 1, 1]], head: "matmul" },
  { name: "matmul with a bool mask (where)", f: (x, w, m) => tf.where(m, tf.matMul(x, w), tf.scalar(-1)), shapes: [[9, 4], [4, 24], { shape: [24], dtype: "bool" }], head: "matmul" },
  {
    name: "matmul with a tail of seven inputs (no module of its own: kernel, then the tail in place)",
    f: (x, w, a, b, c, d, e, g) => tf.sub(tf.mul(tf.add(tf.sub(tf.mul(tf.add(tf.matMul(x, w), a), b), c), d), e), g),
    shapes: [[6, 5], [5, 8], [8], [6, 1], [1, 8], [6, 8], [], [1]],
    head: "matmul",
    apart: "always",
  },
  { name: "conv2d + bias + relu", f: (x, k, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, "same"), b)), shapes: [[2, 7, 6, 3], [3, 3, 3, 5], [5]], head: "conv2d" },
  { name: "strided conv2d with a [1, 1, 1, CO] scale and a scalar", f: (x, k, s, c) => tf.tanh(tf.add(tf.mul(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 2, "valid"), s), c)), shapes: [[3, 9, 8, 4], [2, 3, 4, 6], [1, 1, 1, 6], []], head: "conv2d" },
  { name: "pointwise conv2d + bias", f: (x, k, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, "valid"), b)), shapes: [[2, 5, 5, 6], [1, 1, 6, 9], [9]], head: "conv2d" },
  { name: "Winograd conv2d + bias", f: (x, k, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, "same"), b)), shapes: [[1, 6, 6, 8], [3, 3, 8, 8], [8]], head: "conv2d", apart: "always" },
  { name: "conv2d with a per-image extra", f: (x, k, e) => tf.sub(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, "same"), e), shapes: [[2, 4, 4, 3], [3, 3, 3, 2], [2, 1, 1, 1]], head: "conv2d", apart: "always" },
  { name: "sum(x, axis) * scale + b", f: (x, s, b) => tf.add(tf.mul(tf.sum(x, 1), s), b), shapes: [[40, 33], [1], [40]], head: "sum" },
  { name: "sum over a middle axis with a 2-D extra", f: (x, b) => tf.relu(tf.sub(tf.sum(x, 1), b)), shapes: [[5, 8, 7], [5, 1]], head: "sum" },
  { name: "a whole sum (row segments across threads), then sqrt", f: (x) => tf.sqrt(tf.abs(tf.sum(x))), shapes: [[3000]], head: "sum", apart: "threads" },
  { name: "max over an axis, then exp", f: (x, b) => tf.exp(tf.sub(tf.max(x, -1, true), b)), shapes: [[6, 5, 9], [6, 1, 1]], head: "max" },
  { name: "mean over a middle axis, then a square", f: (x, b) => tf.square(tf.sub(tf.mean(x, 1), b)), shapes: [[6, 7, 5], [5]], head: "mean" },
  { name: "a whole mean (row segments across threads)", f: (x) => tf.exp(tf.neg(tf.mean(x))), shapes: [[2500]], head: "mean", apart: "threads" },
  { name: "mean with an int extra", f: (x, k) => tf.mul(tf.mean(x, 1), tf.cast(k, "float32")), shapes: [[12, 7], { shape: [12], dtype: "int32" }], head: "mean" },
  { name: "float64 mean", f: (x, b) => tf.sub(tf.mean(tf.cast(x, "float64"), 1), tf.cast(b, "float64")), shapes: [[9, 13], [9]], head: "mean" },
];

describe.each(Object.keys(instances))("epilogue kernels on %s", (device) => {
  it.each(CASES)("$name: one kernel, equal to the ops run apart", async ({ f, shapes, head, apart }) => {
    const b = await instances[device]!;
    const xs = shapes.map((s, i) => (Array.isArray(s) ? rand(s, i + 1) : rand(s.shape, i + 1, s.dtype)).to(device));
    const eager = tf.withDevice(device, () => f(...xs));
    const reference = tf.withDevice("reference", () => f(...xs.map((x) => x.to("reference"))));
    const g = tf.compile(f);
    const before = { ...b.epilogues.fusedRuns };
    const runs = b.context.parallelRuns;
    const got = tf.withDevice(device, () => g(...xs));
    const kernels = g.concrete(...xs).kernels;
    const k = kernels.find((x) => x.head !== undefined);
    expect(k, g.concrete(...xs).toString()).toMatchObject({ head, device, fused: true });
    // The tail runs per chunk of the head's own kernel for these heads (else after it, in place).
    const real = apart !== "always" && !(apart === "threads" && b.threads > 1);
    for (const h of ["matmul", "conv2d", "sum", "mean", "max"]) expect(b.epilogues.fusedRuns[h]).toBe(before[h]! + (real && h === head ? 1 : 0));
    // With two threads and low thresholds the tiles (and their tails) run across the pool.
    if (b.threads > 1 && real) expect(b.context.parallelRuns).toBeGreaterThan(runs);
    expect(agree(got, eager, 0)).toBeNull();
    expect(agree(got, reference, 1e-4)).toBeNull();
  });

  it("a compiled MLP training step runs its matmul tails in the matmul kernel and matches eager within 1e-5 over 20 steps", async () => {
    const b = await instances[device]!;
    tf.withDevice(device, () => {
      const X = tf.randomNormal([32, 20], 0, 1, "float32", 1);
      const Y = tf.randomNormal([32, 4], 0, 1, "float32", 2);
      const model = () => {
        const w1 = tf.variable(tf.randomNormal([20, 16], 0, 0.3, "float32", 3));
        const b1 = tf.variable(tf.zeros([16]));
        const w2 = tf.variable(tf.randomNormal([16, 4], 0, 0.3, "float32", 4));
        const b2 = tf.variable(tf.zeros([4]));
        return () => tf.sub(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X, w1), b1)), w2), b2), Y).square().mean();
      };
      const eagerLoss = model();
      const eagerOpt = new tf.train.GradientDescentOptimizer({ learningRate: 0.05 });
      const compiledLoss = model();
      const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.05 });
      const step = tf.compile(() => {
        const [loss, grads] = tf.implicitValueAndGradients(compiledLoss)();
        opt.applyGradients(grads);
        return loss;
      });
      const before = b.epilogues.fusedRuns["matmul"]!;
      for (let i = 0; i < 20; i++) {
        const e = tf.tidy(() => {
          const [loss, grads] = tf.implicitValueAndGradients(eagerLoss)();
          eagerOpt.applyGradients(grads);
          return loss;
        });
        const c = step();
        expect(Math.abs((c.item() as number) - (e.item() as number))).toBeLessThanOrEqual(1e-5 * Math.abs(e.item() as number));
        e.dispose();
        c.dispose();
      }
      const tails = step.concrete().kernels.filter((k) => k.head === "matmul");
      expect(tails.length).toBeGreaterThanOrEqual(3);
      expect(tails.every((k) => k.fused && k.device === device)).toBe(true);
      expect(b.epilogues.fusedRuns["matmul"]).toBeGreaterThanOrEqual(before + 20 * tails.length);
      const bytes = tf.memory().numBytes;
      step().dispose();
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
