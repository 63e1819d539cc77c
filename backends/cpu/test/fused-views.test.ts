/** Compiled kernels on the cpu backend read slices, reshapes and broadcasts in place (no copy kernel), and copy first only the views they cannot load. */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import "@eager/backend-cpu";

await tf.ready("cpu");
afterEach(() => vi.restoreAllMocks());

const close = (a: tf.Tensor, b: tf.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  expect(worst).toBeLessThanOrEqual(1e-6);
};

describe("views in fused kernels (cpu)", () => {
  const x = tf.withDevice("cpu", () => tf.randomNormal([4, 6, 12], 0, 1, "float32", 1));
  const h = tf.withDevice("cpu", () => tf.randomNormal([4, 12], 0, 1, "float32", 2));

  it("a GRU-like step reads its gate slices in place: no stridedSlice or reshape kernel runs", () => {
    // One time step of x, split in three along the features, gated with slices of h.
    const f = (x: tf.Tensor, h: tf.Tensor) => {
      const p = tf.unstack(x, 1)[2]!;
      const [a, b, c] = tf.split(p, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [u, v] = tf.split(tf.slice(h, [0, 0], [4, 8]), 2, -1) as [tf.Tensor, tf.Tensor];
      return tf.add(tf.mul(tf.sigmoid(tf.add(a, u)), tf.tanh(b)), tf.mul(c, v));
    };
    const g = tf.compile(f);
    g(x, h).dispose();
    const kernels = getBackend("cpu").kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const slice = vi.spyOn(kernels, "stridedSlice");
    const reshape = vi.spyOn(kernels, "reshape");
    const got = g(x, h);
    expect(slice).not.toHaveBeenCalled();
    expect(reshape).not.toHaveBeenCalled();
    const want = tf.tidy(() => f(x, h));
    close(got, want);
    const ks = g.concrete(x, h).kernels;
    expect(ks).toHaveLength(1);
    expect(ks[0]!.fused).toBe(true);
    // The time step, its three gates, the slice of h and its two halves.
    expect(ks[0]!.ops.filter((op) => op === "stridedSlice")).toHaveLength(7);
    got.dispose();
    want.dispose();
  });

  it("a slice with a step along the last axis is copied first (the kernels load runs of 0 or 1 element steps), with the same values", () => {
    const f = (h: tf.Tensor) => tf.exp(tf.stridedSlice(h, [0, 1], [4, 12], [1, 2]));
    const g = tf.compile(f);
    g(h).dispose();
    const kernels = getBackend("cpu").kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const slice = vi.spyOn(kernels, "stridedSlice");
    const got = g(h);
    expect(slice).toHaveBeenCalledTimes(1);
    const want = tf.tidy(() => f(h));
    close(got, want);
    got.dispose();
    want.dispose();
  });

  it("a broadcast scalar feeds a one-input kernel, and a sliced extra feeds a matmul's tail", () => {
    const f = (s: tf.Tensor, a: tf.Tensor, b: tf.Tensor, x: tf.Tensor) => [
      tf.neg(tf.broadcastTo(tf.reshape(s, [1, 1]), [4, 12])),
      tf.relu(tf.add(tf.matMul(a, b), tf.reshape(tf.slice(x, [0, 3, 0], [4, 1, 12]), [4, 12]))),
    ];
    const s = tf.withDevice("cpu", () => tf.scalar(0.625));
    const a = tf.withDevice("cpu", () => tf.randomNormal([4, 5], 0, 1, "float32", 3));
    const b = tf.withDevice("cpu", () => tf.randomNormal([5, 12], 0, 1, "float32", 4));
    const g = tf.compile(f);
    for (const t of g(s, a, b, x)) t.dispose();
    const kernels = getBackend("cpu").kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const slice = vi.spyOn(kernels, "stridedSlice");
    const bcast = vi.spyOn(kernels, "broadcastTo");
    const got = g(s, a, b, x);
    expect(slice).not.toHaveBeenCalled();
    expect(bcast).not.toHaveBeenCalled();
    const want = tf.tidy(() => f(s, a, b, x));
    got.forEach((t, i) => close(t, want[i]!));
    expect(g.concrete(s, a, b, x).kernels.map((k) => k.ops.join(">"))).toEqual(["reshape>broadcastTo>neg", "matmul>stridedSlice>reshape>add>relu"]);
    for (const t of [...got, ...want]) t.dispose();
  });

  it("a donated accumulator is updated in place across the pool (acc = a * b + acc)", () => {
    tf.withDevice("cpu", () => {
      const n = 300_000; // above the elementwise threshold: split across threads
      const a = tf.randomNormal([n], 0, 1, "float32", 7);
      const b = tf.randomNormal([n], 0, 1, "float32", 8);
      const g = tf.compile((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.add(tf.mul(x, y), z), { donate: [2] });
      let acc = tf.randomNormal([n], 0, 1, "float32", 9);
      let want = tf.add(acc, 0);
      for (let i = 0; i < 3; i++) {
        const buffer = (acc as unknown as { _storage: unknown })._storage;
        acc = g(a, b, acc);
        expect((acc as unknown as { _storage: unknown })._storage).toBe(buffer);
        const next = tf.tidy(() => tf.add(tf.mul(a, b), want));
        want.dispose();
        want = next;
      }
      close(acc, want);
      tf.dispose([a, b, acc, want]);
    });
  });
});
