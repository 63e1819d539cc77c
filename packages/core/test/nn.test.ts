/**
 * Composite nn functions: logSumExp, softmax, logSoftmax, moments, variance. Values and
 * gradients are compared with closed forms computed here in float64.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

const vals = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const close = (t: tf.Tensor, want: number[], digits = 5): void => {
  const got = vals(t);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits));
};
const grad1 = (f: (x: tf.Tensor) => tf.Tensor, x: tf.TensorLike): tf.Tensor => tf.gradientsFunction(f)(x)[0]!;

/** softmax of a plain array, in float64. */
const softmaxOf = (x: number[]): number[] => {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
/** s * (w - s . w): the gradient of w . softmax(x), and the Hessian of logSumExp times w. */
const softmaxJvp = (x: number[], w: number[]): number[] => {
  const s = softmaxOf(x);
  const sw = s.reduce((a, v, i) => a + v * w[i]!, 0);
  return s.map((v, i) => v * (w[i]! - sw));
};

describe("logSumExp", () => {
  it("matches log(sum(exp)) and is stable", () => {
    close(tf.logSumExp([1, 2, 3]), [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))]);
    close(tf.logSumExp([1000, 1000]), [1000 + Math.LN2], 3);
    close(tf.logSumExp([-1000, -1000]), [-1000 + Math.LN2], 3);
    close(tf.logSumExp([[0, 0], [1, 1]], -1), [Math.LN2, 1 + Math.LN2]);
    const k = tf.logSumExp([[0, 0], [1, 1]], 0, true);
    expect(k.shape).toEqual([1, 2]);
    close(k, [Math.log(1 + Math.E), Math.log(1 + Math.E)]);
  });
  it("handles -Infinity rows, scalars and empty axes", () => {
    expect(tf.logSumExp([-Infinity, -Infinity]).item()).toBe(-Infinity);
    close(tf.logSumExp([-Infinity, 0]), [0]);
    expect(tf.logSumExp(2.5).item()).toBe(2.5);
    expect(tf.logSumExp(tf.zeros([0, 2]), 0).arraySync()).toEqual([-Infinity, -Infinity]);
  });
  it("has the softmax as its gradient, also for large inputs", () => {
    close(grad1((x) => tf.logSumExp(x), [1, 2, 3]), softmaxOf([1, 2, 3]));
    close(grad1((x) => tf.logSumExp(x), [1000, 1000]), [0.5, 0.5]);
  });
  it("is differentiable twice: Hessian diag(s) - s s^T", () => {
    const x = [0.5, -1, 2];
    const w = [1, -2, 0.5];
    const hw = tf.gradientsFunction((y) => tf.sum(tf.mul(grad1((z) => tf.logSumExp(z), y), w)))(x)[0]!;
    close(hw, softmaxJvp(x, w));
  });
  it("is a method", () => {
    close(tf.tensor([0, 0]).logSumExp(), [Math.LN2]);
  });
});

describe("softmax", () => {
  it("is stable for large logits", () => {
    expect(tf.softmax([1000, 0]).arraySync()).toEqual([1, 0]);
    expect(tf.softmax([-1000, 0]).arraySync()).toEqual([0, 1]);
    close(tf.softmax([1000, 1000]), [0.5, 0.5]);
  });
  it("normalizes along dim (default the last)", () => {
    close(tf.softmax([1, 2, 3]), softmaxOf([1, 2, 3]));
    const x = [
      [1, 2],
      [3, 5],
    ];
    close(tf.softmax(x), [...softmaxOf([1, 2]), ...softmaxOf([3, 5])]);
    const s0 = softmaxOf([1, 3]);
    const s1 = softmaxOf([2, 5]);
    close(tf.softmax(x, 0), [s0[0]!, s1[0]!, s0[1]!, s1[1]!]);
    close(tf.softmax(x, -2), [s0[0]!, s1[0]!, s0[1]!, s1[1]!]);
    expect(tf.softmax(7).item()).toBe(1);
    expect(tf.softmax(tf.zeros([0, 3])).shape).toEqual([0, 3]);
  });
  it("has the gradient s * (w - s . w)", () => {
    const x = [0.3, -1.2, 2, 0.1];
    const w = [1, 2, -1, 0.5];
    close(grad1((y) => tf.sum(tf.mul(tf.softmax(y), w)), x), softmaxJvp(x, w));
    close(grad1((y) => tf.sum(tf.mul(tf.softmax(y), [1, 0])), [1000, 0]), [0, 0]);
  });
  it("rejects a bad dim", () => {
    expect(() => tf.softmax([1, 2], 1)).toThrow(tf.AxisError);
    expect(() => tf.softmax([1, 2], 1)).toThrow(/^softmax: axis 1/);
  });
  it("is a method", () => {
    close(tf.tensor([0, 0]).softmax(), [0.5, 0.5]);
  });
});

describe("logSoftmax", () => {
  it("is x - logSumExp(x), stable", () => {
    close(tf.logSoftmax([0, 0]), [-Math.LN2, -Math.LN2]);
    close(tf.logSoftmax([1000, 0]), [0, -1000], 3);
    close(tf.logSoftmax([[1, 2], [3, 5]], 0), [1 - Math.log(Math.exp(1) + Math.exp(3)), 2 - Math.log(Math.exp(2) + Math.exp(5)), 3 - Math.log(Math.exp(1) + Math.exp(3)), 5 - Math.log(Math.exp(2) + Math.exp(5))]);
  });
  it("has the gradient w - s sum(w)", () => {
    const x = [0.3, -1.2, 2];
    const w = [1, 2, -1];
    const s = softmaxOf(x);
    close(grad1((y) => tf.sum(tf.mul(tf.logSoftmax(y), w)), x), w.map((wi, i) => wi - s[i]! * 2));
  });
  it("is a method", () => {
    close(tf.tensor([0, 0]).logSoftmax(), [-Math.LN2, -Math.LN2]);
  });
});

describe("moments and variance", () => {
  it("compute the mean and biased variance", () => {
    const m = tf.moments([1, 2, 3, 4]);
    expect(m.mean.item()).toBe(2.5);
    expect(m.variance.item()).toBe(1.25);
    const x = [
      [1, 3],
      [2, 2],
    ];
    const r = tf.moments(x, -1);
    expect(r.mean.arraySync()).toEqual([2, 2]);
    expect(r.variance.arraySync()).toEqual([1, 0]);
    const k = tf.moments(x, [0], true);
    expect(k.mean.shape).toEqual([1, 2]);
    expect(vals(k.mean)).toEqual([1.5, 2.5]);
    expect(vals(k.variance)).toEqual([0.25, 0.25]);
    expect(tf.variance(x, 1).arraySync()).toEqual([1, 0]);
    expect(tf.variance(x, 1, true).shape).toEqual([2, 1]);
    expect(tf.variance(x).item()).toBe(0.5);
  });
  it("accept int32 and give float32", () => {
    const m = tf.moments(tf.tensor([1, 2], [2], "int32"));
    expect(m.mean.dtype).toBe("float32");
    expect(m.variance.item()).toBe(0.25);
  });
  it("have the gradient 2 (x - mean) / n", () => {
    // sum_i (x_i - m) = 0, so the mean's dependence on x drops out
    close(grad1((y) => tf.variance(y), [1, 2, 4]), [(2 * (1 - 7 / 3)) / 3, (2 * (2 - 7 / 3)) / 3, (2 * (4 - 7 / 3)) / 3]);
  });
  it("variance is differentiable twice: Hessian 2/n (I - 1/n)", () => {
    const w = [1, 0, 0];
    const hw = tf.gradientsFunction((y) => tf.sum(tf.mul(grad1((z) => tf.variance(z), y), w)))([1, 2, 4])[0]!;
    close(hw, [(2 / 3) * (1 - 1 / 3), (2 / 3) * (-1 / 3), (2 / 3) * (-1 / 3)]);
  });
});
