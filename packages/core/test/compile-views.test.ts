/** Compiled reshapes run as views of their input's storage: same values as eager, no copy, nothing leaked or freed early. */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";

afterEach(() => vi.restoreAllMocks());

describe("compile: reshape as a view", () => {
  it("gives eager's values without running the reshape kernel, and frees everything", () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const f = (t: tf.Tensor) => tf.mul(tf.reshape(tf.add(t, 1), [3, 2]), 2);
    const g = tf.compile(f);
    g(x).dispose(); // trace
    const kernels = getBackend(x.device).kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const spy = vi.spyOn(kernels, "reshape");
    const before = tf.memory();
    const got = g(x);
    expect(spy).not.toHaveBeenCalled();
    const want = tf.tidy(() => f(x));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(got.shape).toEqual([3, 2]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    // The reshape is read in place by the kernel of the multiply that follows it.
    expect(g.concrete(x).kernels.map((k) => k.ops.join(">"))).toEqual(["add", "reshape>mul"]);
    got.dispose();
    want.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it("a returned reshape of an argument outlives the argument", () => {
    const g = tf.compile((t: tf.Tensor) => [tf.reshape(t, [4]), tf.reshape(tf.neg(t), [4])]);
    const x = tf.tensor([[1, 2], [3, 4]]);
    const [a, b] = g(x) as tf.Tensor[];
    x.dispose();
    expect(Array.from(a!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(b!.dataSync())).toEqual([-1, -2, -3, -4]);
    expect(a!.shape).toEqual([4]);
    a!.dispose();
    b!.dispose();
  });

  it("a variable assigned a reshape keeps its values when the source is freed", () => {
    const v = tf.variable(tf.zeros([2, 2]));
    const g = tf.compile((t: tf.Tensor) => {
      v.assign(tf.reshape(tf.add(t, 0.5), [2, 2]));
      return tf.sum(v);
    });
    const x = tf.tensor([1, 2, 3, 4]);
    expect(g(x).dataSync()[0]).toBe(12);
    expect(g(tf.tensor([0, 0, 0, 1])).dataSync()[0]).toBe(3);
    x.dispose();
    expect(Array.from(v.dataSync())).toEqual([0.5, 0.5, 0.5, 1.5]);
    v.dispose();
  });
});
