/**
 * conv2d's gradient kernels (im2col/col2im + matmul) against the reference backend: strides,
 * dilations, same/valid padding, channel counts, batches split into several im2col groups,
 * on one thread and on two threads with small thresholds so the work is split.
 */
import { beforeAll, describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

beforeAll(async () => {
  registerBackend("cpugrad1", () => createCpuBackend({ name: "cpugrad1", threads: 1 }), { priority: -1 });
  registerBackend("cpugrad2", () => createCpuBackend({ name: "cpugrad2", threads: 2, thresholds: { elementwise: 64, matmul: 64 } }), { priority: -1 });
  await tf.ready("cpugrad1");
  await tf.ready("cpugrad2");
});

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: number;
  pad: "same" | "valid";
  dilation?: number;
}
const CASES: Case[] = [
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, stride: 1, pad: "same" },
  { x: [3, 9, 8, 2], k: [3, 2], co: 5, stride: 2, pad: "valid" },
  { x: [1, 10, 10, 4], k: [3, 3], co: 3, stride: 1, pad: "same", dilation: 2 },
  { x: [4, 6, 6, 1], k: [1, 1], co: 8, stride: 1, pad: "valid" },
  { x: [2, 5, 5, 6], k: [5, 5], co: 2, stride: 3, pad: "same" },
];

function tensors(c: Case, seed: number) {
  const [n, h, w, ci] = c.x;
  const x = tf.tensor(randomValues(n * h * w * ci, seed), c.x);
  const f = tf.tensor(randomValues(c.k[0] * c.k[1] * ci * c.co, seed + 1), [c.k[0], c.k[1], ci, c.co]);
  return { x, f };
}

describe.each(["cpugrad1", "cpugrad2"])("conv2d gradients on %s", (device) => {
  for (const c of CASES) {
    const label = `x ${c.x.join("x")}, kernel ${c.k.join("x")}, ${c.co} out, stride ${c.stride}, ${c.pad}${c.dilation ? `, dilation ${c.dilation}` : ""}`;
    it(`filter gradient: ${label}`, () => {
      expectLikeReference(device, () => {
        const { x, f } = tensors(c, 3);
        const loss = (w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, w, c.stride, c.pad, "NHWC", c.dilation ?? 1)));
        return tf.gradientsFunction(loss)(f)[0]!;
      }, 2e-3, 1e-4);
    });
    it(`input gradient: ${label}`, () => {
      expectLikeReference(device, () => {
        const { x, f } = tensors(c, 5);
        const loss = (v: tf.Tensor) => tf.sum(tf.square(tf.conv2d(v, f, c.stride, c.pad, "NHWC", c.dilation ?? 1)));
        return tf.gradientsFunction(loss)(x)[0]!;
      }, 2e-3, 1e-4);
    });
  }
  it("a batch too large for one column matrix is split into groups", () => {
    const c: Case = { x: [6, 48, 48, 32], k: [3, 3], co: 4, stride: 1, pad: "same" };
    expectLikeReference(device, () => {
      const { x, f } = tensors(c, 9);
      const [dx, df] = tf.gradientsFunction((v, w) => tf.sum(tf.conv2d(v, w, 1, "same")))(x, f);
      return tf.concat([dx!.reshape([-1]), df!.reshape([-1])]);
    }, 2e-2, 1e-4);
  });
});
