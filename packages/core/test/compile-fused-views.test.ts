/**
 * Views in compiled programs: slices, reshapes and broadcasts read by fused kernels are strided
 * windows on their source (layouts checked directly); on a backend that takes views no copy kernel
 * runs, on one that does not the views are made first; values match eager either way, also when a
 * varying dimension changes the layouts; cheap values read by several kernels are recomputed in each.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, getBackend, registerBackend } from "@eager/core/backend";
import { viewLayout } from "../src/compile/fused-views.js";
import type { TraceNode } from "../src/compile/builder.js";

afterEach(() => vi.restoreAllMocks());

const plain = createReferenceBackend("noviews");
registerBackend("noviews", () => ({ ...plain, capabilities: { ...plain.capabilities, fusedViews: false } }), { priority: -1 });
await tf.ready("noviews");

const node = (op: string, attrs: unknown): TraceNode => ({ op, attrs }) as unknown as TraceNode;

describe("viewLayout", () => {
  it("composes a time-step slice, its squeeze and a column slice into one strided window", () => {
    const chain = [node("stridedSlice", { begin: [0, 3, 0], size: [16, 1, 192], strides: [1, 1, 1] }), node("reshape", { shape: [16, 192] }), node("stridedSlice", { begin: [0, 64], size: [16, 64], strides: [1, 1] })];
    expect(viewLayout(chain, [16, 32, 192], "float32")).toEqual({ shape: [16, 64], strides: [32 * 192, 1], offset: 3 * 192 + 64 });
  });
  it("steps, reversals and broadcasts", () => {
    expect(viewLayout([node("stridedSlice", { begin: [4, 1], size: [3, 2], strides: [-2, 2] })], [5, 6], "float32")).toEqual({ shape: [3, 2], strides: [-12, 2], offset: 25 });
    expect(viewLayout([node("reshape", { shape: [1, 3] }), node("broadcastTo", { shape: [2, 4, 3] })], [3], "float32")).toEqual({ shape: [2, 4, 3], strides: [0, 0, 1], offset: 0 });
  });
  it("a reshape of a contiguous window is a window; one that regroups a strided view is not", () => {
    expect(viewLayout([node("stridedSlice", { begin: [2, 0], size: [2, 4], strides: [1, 1] }), node("reshape", { shape: [8] })], [5, 4], "float32")).toEqual({ shape: [8], strides: [1], offset: 8 });
    expect(viewLayout([node("stridedSlice", { begin: [0, 1], size: [5, 2], strides: [1, 1] }), node("reshape", { shape: [10] })], [5, 4], "float32")).toBeNull();
  });
});

/** A GRU-like step: a time step of x split in three, gated with halves of a slice of h. */
const step = (x: tf.Tensor, h: tf.Tensor) => {
  const p = tf.unstack(x, 1)[1]!;
  const [a, b, c] = tf.split(p, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const [u, v] = tf.split(tf.slice(h, [0, 0], [-1, 8]), 2, -1) as [tf.Tensor, tf.Tensor];
  return tf.add(tf.mul(tf.sigmoid(tf.add(a, u)), tf.tanh(b)), tf.mul(c, v));
};

describe.each(["reference", "noviews"])("compiled views on %s", (device) => {
  const takes = device === "reference";
  it(takes ? "are read in place: no stridedSlice kernel runs, values equal eager" : "run as their own ops first (each once), values equal eager", () => {
    tf.withDevice(device, () => {
      const x = tf.randomNormal([3, 4, 12], 0, 1, "float32", 1);
      const h = tf.randomNormal([3, 12], 0, 1, "float32", 2);
      const g = tf.compile(step);
      g(x, h).dispose();
      const slice = vi.spyOn(getBackend(device).kernels as unknown as Record<string, (...a: unknown[]) => unknown>, "stridedSlice");
      const got = g(x, h);
      // The time step, its three gates, the slice of h and its two halves.
      expect(slice).toHaveBeenCalledTimes(takes ? 0 : 7);
      const want = tf.tidy(() => step(x, h));
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      const kernels = g.concrete(x, h).kernels;
      if (takes) {
        expect(kernels).toHaveLength(1);
        expect(kernels[0]!.ops.filter((op) => op === "stridedSlice")).toHaveLength(7);
      } else {
        expect(kernels.filter((k) => k.ops.includes("stridedSlice"))).toHaveLength(7);
        expect(kernels.filter((k) => k.ops.length > 1).every((k) => !k.ops.includes("stridedSlice"))).toBe(true);
      }
      tf.dispose([x, h, got, want]);
    });
  });

  it("follow a varying dimension: one trace serves batches of 2 and 5 with eager's values", () => {
    tf.withDevice(device, () => {
      const g = tf.compile(step, { inputSignature: [{ shape: [null, 4, 12] }, { shape: [null, 12] }] });
      for (const n of [2, 5, 2]) {
        const x = tf.randomNormal([n, 4, 12], 0, 1, "float32", n);
        const h = tf.randomNormal([n, 12], 0, 1, "float32", n + 1);
        const got = g(x, h);
        const want = tf.tidy(() => step(x, h));
        expect(got.shape).toEqual([n, 4]);
        expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
        tf.dispose([x, h, got, want]);
      }
      expect(g.traceCount).toBe(1);
    });
  });
});

describe("views that are not windows", () => {
  it("a slice regrouped by a reshape stays an op; the slice before it is not dropped", () => {
    const f = (x: tf.Tensor) => tf.exp(tf.reshape(tf.slice(x, [0, 1], [5, 2]), [10]));
    const x = tf.tensor(Array.from({ length: 20 }, (_, i) => i / 10), [5, 4]);
    const g = tf.compile(f);
    const got = g(x);
    const want = f(x);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(g.concrete(x).kernels.map((k) => k.ops.join(">"))).toEqual(["stridedSlice", "reshape>exp"]);
    tf.dispose([x, got, want]);
  });
});

describe("recomputed cheap values", () => {
  it("a difference read by two elementwise kernels is computed in each, not stored", () => {
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const d = tf.sub(a, b);
      return [tf.tanh(tf.mul(d, c)), tf.exp(tf.add(d, c))];
    };
    const xs = [1, 2, 3].map((s) => tf.randomNormal([5, 7], 0, 1, "float32", s));
    const g = tf.compile(f);
    const got = g(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor]));
    const want = f(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor]));
    got.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(want[i]!.dataSync())));
    const kernels = g.concrete(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor])).kernels.map((k) => k.ops.join(">"));
    expect(kernels).toEqual(["sub>mul>tanh", "sub>add>exp"]);
    tf.dispose([...xs, ...got, ...want]);
  });
});
