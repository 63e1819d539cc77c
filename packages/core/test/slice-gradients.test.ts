/** Gradients through unstack, split and slice: values, and a cost linear in the number of slices. */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { engine } from "../src/engine/engine.js";

/** Bytes allocated on the reference device while `fn` runs. */
function bytesAllocated(fn: () => void): number {
  const inst = engine.backends.get("reference")!.instance!;
  const orig = inst.alloc.bind(inst);
  let bytes = 0;
  inst.alloc = (dtype: tf.DType, size: number) => {
    bytes += size * (dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4);
    return orig(dtype, size);
  };
  try {
    fn();
  } finally {
    inst.alloc = orig;
  }
  return bytes;
}

afterEach(() => tf.setDefaultDevice("reference"));

describe("slice gradients", () => {
  it("unstack: each slice's gradient lands in its row", () => {
    const x = tf.tensor([[1, 2], [3, 4], [5, 6]]);
    const [g] = tf.gradientsFunction((t) => {
      const [a, b, c] = tf.unstack(t);
      return tf.add(tf.add(tf.mul(a!, 1), tf.mul(b!, 10)), tf.square(c!));
    })(x);
    expect(g!.arraySync()).toEqual([[1, 1], [10, 10], [10, 12]]);
  });
  it("unstack along a middle axis, some slices unused", () => {
    const x = tf.ones([2, 3, 2]);
    const [g] = tf.gradientsFunction((t) => tf.mul(tf.unstack(t, 1)[1]!, 3))(x);
    expect(g!.arraySync()).toEqual([[[0, 0], [3, 3], [0, 0]], [[0, 0], [3, 3], [0, 0]]]);
  });
  it("split into unequal parts and a repeated slice", () => {
    const x = tf.tensor([1, 2, 3, 4, 5]);
    const [g] = tf.gradientsFunction((t) => {
      const [a, b] = tf.split(t, [2, -1]);
      const s = tf.slice(t, [0], [2]);
      return tf.add(tf.sum(tf.mul(a!, 2)), tf.add(tf.sum(tf.mul(b!, 5)), tf.sum(s)));
    })(x);
    expect(g!.arraySync()).toEqual([3, 3, 5, 5, 5]);
  });
  it("overlapping and strided windows fall back to exact scatters", () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6]);
    const [g] = tf.gradientsFunction((t) => tf.add(tf.sum(tf.slice(t, [1], [3])), tf.add(tf.sum(tf.slice(t, [2], [3])), tf.sum(tf.reverse(t)))))(x);
    expect(g!.arraySync()).toEqual([1, 2, 3, 3, 2, 1]);
    const [h] = tf.gradientsFunction((t) => tf.sum(tf.stridedSlice(t, [0], [6], [2])))(x);
    expect(h!.arraySync()).toEqual([1, 0, 1, 0, 1, 0]);
  });
  it("a dense gradient and slice gradients of one tensor add up", () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    const [g] = tf.gradientsFunction((t) => tf.add(tf.sum(tf.square(t)), tf.sum(tf.unstack(t, 1)[0]!)))(x);
    expect(g!.arraySync()).toEqual([[3, 4], [7, 8]]);
  });
  it("second order through unstack", () => {
    const x = tf.tensor([1, 2, 3]);
    const gx = tf.gradientsFunction((t) => {
      const [g] = tf.gradientsFunction((u) => tf.sum(tf.stack(tf.unstack(u).map((s) => tf.mul(tf.square(s), s)))))(t);
      return tf.sum(g!);
    })(x)[0]!;
    expect(gx.arraySync()).toEqual([6, 12, 18]);
  });
  it("backward of unstack costs bytes linear in the number of slices", () => {
    const measure = (T: number): number => {
      const x = tf.randomNormal([T, 4, 8], 0, 1, "float32", 1);
      const f = tf.gradientsFunction((t) => tf.sum(tf.stack(tf.unstack(t).map((s) => tf.tanh(s)))));
      const bytes = bytesAllocated(() => tf.tidy(() => void f(x)));
      x.dispose();
      return bytes;
    };
    const b32 = measure(32);
    const b256 = measure(256);
    // 8x the slices: linear cost is ~8x the bytes; the quadratic scatter would be ~64x.
    expect(b256 / b32).toBeLessThan(9);
    expect(b256 / b32).toBeGreaterThan(7);
  });
});
