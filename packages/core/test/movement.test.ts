/**
 * Movement ops: hand-computed forward values (negative indices and strides, masks, empty
 * tensors), error messages, hand-derived gradients, and every op-table test case checked by
 * central differences and by the adjoint identity for second order (all these ops are linear).
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { checkOpGradients } from "./helpers/linear-op-gradients.js";

const arr = (t: tf.Tensor) => t.arraySync();
const grad1 = (f: (x: tf.Tensor) => tf.Tensor, x: tf.TensorLike) => arr(tf.gradientsFunction(f)(x)[0]!);

describe("op-table cases: gradients of movement primitives", () => {
  for (const name of ["reshape", "broadcastTo", "transpose", "stridedSlice", "stridedSliceGrad", "pad", "concat"] as const)
    it(name, () => checkOpGradients(name));
});

describe("transpose", () => {
  it("reverses axes by default and follows perm", () => {
    expect(arr(tf.transpose([[1, 2, 3], [4, 5, 6]]))).toEqual([[1, 4], [2, 5], [3, 6]]);
    const x = tf.reshape(tf.range(0, 6), [1, 2, 3]);
    expect(arr(x.transpose([2, 0, 1]))).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect(arr(tf.transpose(x, [0, -1, 1]))).toEqual([[[0, 3], [1, 4], [2, 5]]]);
    expect(tf.transpose(tf.zeros([0, 3])).shape).toEqual([3, 0]);
    expect(arr(tf.transpose(7))).toBe(7);
  });
  it("rejects a bad perm", () => {
    expect(() => tf.transpose([[1]], [0, 0])).toThrow(/transpose: perm \[0,0\] is not a permutation/);
    expect(() => tf.transpose([[1]], [0])).toThrow(tf.AxisError);
  });
  it("gradient is the inverse permutation", () => {
    const x = tf.reshape(tf.range(0, 6), [2, 3]);
    const w = tf.tensor([[1, 10], [100, 1000], [1e4, 1e5]]);
    expect(grad1((t) => tf.sum(tf.mul(tf.transpose(t), w)), x)).toEqual([[1, 100, 1e4], [10, 1000, 1e5]]);
  });
});

describe("expandDims / squeeze", () => {
  it("inserts and removes unit axes", () => {
    expect(tf.expandDims([1, 2]).shape).toEqual([1, 2]);
    expect(tf.tensor([1, 2]).expandDims(1).shape).toEqual([2, 1]);
    expect(tf.expandDims([1, 2], -1).shape).toEqual([2, 1]);
    expect(tf.expandDims(3).shape).toEqual([1]);
    expect(tf.squeeze(tf.zeros([1, 3, 1])).shape).toEqual([3]);
    expect(tf.zeros([1, 3, 1]).squeeze([-1]).shape).toEqual([1, 3]);
    expect(arr(tf.squeeze([[5]]))).toBe(5);
  });
  it("errors name the op", () => {
    expect(() => tf.expandDims([1, 2], 3)).toThrow(/expandDims: axis 3 is out of range/);
    expect(() => tf.squeeze(tf.zeros([2, 3]), 1)).toThrow(/squeeze: axis 1 of x \[2,3\] has size 3, not 1/);
  });
});

describe("slice", () => {
  const x = tf.tensor([[1, 2, 3], [4, 5, 6]]);
  it("takes blocks with -1 sizes, number arguments and missing trailing entries", () => {
    expect(arr(tf.slice(x, [0, 1], [2, -1]))).toEqual([[2, 3], [5, 6]]);
    expect(arr(x.slice(1))).toEqual([[4, 5, 6]]);
    expect(arr(x.slice([0, 2], [1]))).toEqual([[3]]);
    expect(arr(tf.slice([1, 2, 3, 4], 1, 2))).toEqual([2, 3]);
    expect(tf.slice(x, [0, 3], [2, 0]).shape).toEqual([2, 0]);
    expect(arr(tf.slice(9, [], []))).toBe(9);
  });
  it("rejects windows outside x", () => {
    expect(() => tf.slice(x, [0, 2], [1, 2])).toThrow(/slice: size\[1\] = 2 with begin\[1\] = 2 exceeds axis 1 of x \[2,3\]/);
    expect(() => tf.slice(x, [-1])).toThrow(tf.InvalidArgumentError);
    expect(() => tf.slice(x, [0, 0, 0])).toThrow(/at most 2 entries/);
  });
  it("gradient pads dy with zeros", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.slice(t, [0, 1], [2, 1]), tf.tensor([[2], [3]]))), x)).toEqual([[0, 2, 0], [0, 3, 0]]);
  });
});

describe("stridedSlice", () => {
  const v = tf.range(0, 5);
  const m = tf.reshape(tf.range(0, 12), [3, 4]);
  it("follows TF for negative indices and strides", () => {
    expect(arr(tf.stridedSlice(v, [1], [4]))).toEqual([1, 2, 3]);
    expect(arr(tf.stridedSlice(v, [-1], [0], [-2]))).toEqual([4, 2]);
    expect(arr(tf.stridedSlice(v, [-2], [-6], [-1]))).toEqual([3, 2, 1, 0]);
    expect(arr(tf.stridedSlice(v, [10], [-10], [-3]))).toEqual([4, 1]);
    expect(arr(tf.stridedSlice(v, [-100], [100], [2]))).toEqual([0, 2, 4]);
    expect(arr(tf.stridedSlice(v, [3], [1]))).toEqual([]);
    expect(arr(tf.stridedSlice(m, [0, -1], [3, 0], [2, -1]))).toEqual([[3, 2, 1], [11, 10, 9]]);
  });
  it("applies begin and end masks (full range, direction-aware)", () => {
    expect(arr(tf.stridedSlice(v, [3], [1], [-1], 1))).toEqual([4, 3, 2]);
    expect(arr(tf.stridedSlice(v, [3], [1], [-1], 0, 1))).toEqual([3, 2, 1, 0]);
    expect(arr(tf.stridedSlice(v, [3], [3], [-1], 1, 1))).toEqual([4, 3, 2, 1, 0]);
    expect(arr(m.stridedSlice([1, 1], [0, 3], [1, 1], 1, 1))).toEqual([[1, 2], [5, 6], [9, 10]]);
  });
  it("shrinks, inserts new axes and expands an ellipsis", () => {
    expect(arr(tf.stridedSlice(m, [1, 0], [2, 4], [1, 1], 0, 0, 0, 0, 1))).toEqual([4, 5, 6, 7]);
    expect(arr(tf.stridedSlice(m, [-1, -1], [0, 0], [1, 1], 0, 0, 0, 0, 3))).toBe(11);
    expect(tf.stridedSlice(m, [0, 0], [1, 4], [1, 1], 0, 0, 0, 1).shape).toEqual([1, 3, 4]);
    expect(arr(tf.stridedSlice(m, [0, 2], [0, 3], [1, 1], 0, 0, 0, 1, 2))).toEqual([[8, 9, 10, 11]]);
    const c = tf.reshape(tf.range(0, 24), [2, 3, 4]);
    expect(arr(tf.stridedSlice(c, [0, 1], [0, 4], [1, 2], 0, 0, 1))).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(arr(tf.stridedSlice(c, [0, 0, 2], [0, 0, 3], [1, 1, 1], 0, 0, 2, 1, 4))).toEqual([[[2, 6, 10], [14, 18, 22]]]);
  });
  it("handles scalars and empty tensors", () => {
    expect(arr(tf.stridedSlice(5, [], []))).toBe(5);
    expect(tf.stridedSlice(tf.zeros([0, 2]), [0, 0], [2, 2], [-1, 1]).shape).toEqual([0, 2]);
  });
  it("rejects bad arguments", () => {
    expect(() => tf.stridedSlice(v, [0], [3], [0])).toThrow(/stridedSlice: strides\[0\] is 0/);
    expect(() => tf.stridedSlice(v, [0, 0], [1])).toThrow(/stridedSlice: begin, end and strides must have the same length/);
    expect(() => tf.stridedSlice(v, [0, 0], [1, 1])).toThrow(/indexes 2 axes but x \[5\] has rank 1/);
    expect(() => tf.stridedSlice(v, [5], [6], [1], 0, 0, 0, 0, 1)).toThrow(/begin\[0\] = 5 is out of range for axis 0/);
    expect(() => tf.stridedSlice(v, [0, 0], [1, 1], [1, 1], 0, 0, 3)).toThrow(/more than one ellipsis/);
  });
  it("gradient scatters dy into zeros (negative stride)", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.stridedSlice(t, [-1], [0], [-2]), tf.tensor([10, 20]))), v)).toEqual([0, 0, 20, 0, 10]);
    expect(arr(tf.stridedSliceGrad([1, 2], [5], [4], [-2]))).toEqual([0, 0, 2, 0, 1]);
  });
});

describe("concat / stack / unstack / split", () => {
  it("concat joins along an axis, including empty parts and negative axes", () => {
    expect(arr(tf.concat([[1, 2], [3]]))).toEqual([1, 2, 3]);
    expect(arr(tf.concat([[[1], [2]], [[3, 4], [5, 6]], tf.zeros([2, 0])], -1))).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(arr(tf.concat([tf.tensor([1, 2], [2], "int32"), [3]]))).toEqual([1, 2, 3]);
    expect(tf.concat([tf.tensor([1], [1], "int32"), [3]]).dtype).toBe("int32");
  });
  it("concat rejects mismatches", () => {
    expect(() => tf.concat([[[1, 2]], [[1, 2, 3]]], 0)).toThrow(/concat: tensor 1 has shape \[1,3\], which does not match tensor 0 outside axis 0/);
    expect(() => tf.concat([1, 2])).toThrow(/use stack/);
    expect(() => tf.concat([tf.tensor([1], [1], "int32"), tf.tensor([1])])).toThrow(tf.DTypeError);
    expect(() => tf.concat([])).toThrow(tf.InvalidArgumentError);
  });
  it("concat gradient slices dy", () => {
    const [ga, gb] = tf.gradientsFunction((a, b) => tf.sum(tf.mul(tf.concat([a!, b!]), tf.tensor([1, 2, 3]))))([5], [6, 7]);
    expect(arr(ga!)).toEqual([1]);
    expect(arr(gb!)).toEqual([2, 3]);
  });
  it("stack and unstack", () => {
    expect(arr(tf.stack([[1, 2], [3, 4]], 1))).toEqual([[1, 3], [2, 4]]);
    expect(arr(tf.stack([1, 2, 3]))).toEqual([1, 2, 3]);
    expect(() => tf.stack([[1, 2], [3]])).toThrow(/stack: tensor 1 has shape \[1\] but tensor 0 has \[2\]/);
    const parts = tf.tensor([[1, 2], [3, 4]]).unstack(1);
    expect(parts.map(arr)).toEqual([[1, 3], [2, 4]]);
    expect(tf.unstack(tf.zeros([0, 2])).length).toBe(0);
    expect(() => tf.unstack(1)).toThrow(tf.AxisError);
    const g = tf.gradientsFunction((x) => tf.mul(tf.unstack(x)[1]!, tf.tensor([5, 6])))([[1, 2], [3, 4]]);
    expect(arr(g[0]!)).toEqual([[0, 0], [5, 6]]);
    expect(arr(tf.gradientsFunction((a, b) => tf.mul(tf.stack([a!, b!], 1), tf.tensor([[1, 2], [3, 4]])))([0, 0], [0, 0])[1]!)).toEqual([2, 4]);
  });
  it("split by count and by sizes with -1", () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6]);
    expect(x.split(3).map(arr)).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tf.split(x, [1, -1, 0]).map(arr)).toEqual([[1], [2, 3, 4, 5, 6], []]);
    expect(tf.split(tf.reshape(x, [2, 3]), [2, 1], -1).map(arr)).toEqual([[[1, 2], [4, 5]], [[3], [6]]]);
    expect(() => tf.split(x, 4)).toThrow(/split: 4 splits do not evenly divide axis 0 of size 6/);
    expect(() => tf.split(x, [2, 2])).toThrow(/do not sum to axis 0 of size 6/);
    expect(() => tf.split(x, [-1, -1])).toThrow(tf.InvalidArgumentError);
    const g = tf.gradientsFunction((t) => tf.mul(tf.split(t, [2, -1])[1]!, 3))([1, 2, 3, 4]);
    expect(arr(g[0]!)).toEqual([0, 0, 3, 3]);
  });
});

describe("pad", () => {
  it("pads with a constant", () => {
    expect(arr(tf.pad([1, 2], [[1, 2]]))).toEqual([0, 1, 2, 0, 0]);
    expect(arr(tf.tensor([[1]]).pad([[0, 1], [1, 0]], 7))).toEqual([[7, 1], [7, 7]]);
    expect(arr(tf.pad(tf.zeros([0]), [[1, 1]], 2))).toEqual([2, 2]);
    expect(arr(tf.pad(3, []))).toBe(3);
    expect(arr(tf.pad(tf.tensor([1, 2], [2], "int32"), [[1, 0]], 9))).toEqual([9, 1, 2]);
  });
  it("rejects bad paddings", () => {
    expect(() => tf.pad([1, 2], [[1, -1]])).toThrow(/pad: paddings must be 1 pairs \[before, after\] of integers >= 0/);
    expect(() => tf.pad([1, 2], [[1, 1], [0, 0]])).toThrow(tf.InvalidArgumentError);
  });
  it("gradient slices dy", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.pad(t, [[1, 1]], 5), tf.tensor([1, 2, 3, 4]))), [0, 0])).toEqual([2, 3]);
  });
});

describe("tile", () => {
  it("repeats along each axis", () => {
    expect(arr(tf.tile([1, 2], [3]))).toEqual([1, 2, 1, 2, 1, 2]);
    expect(arr(tf.tensor([[1, 2], [3, 4]]).tile([2, 1]))).toEqual([[1, 2], [3, 4], [1, 2], [3, 4]]);
    expect(arr(tf.tile([[1, 2]], [1, 2]))).toEqual([[1, 2, 1, 2]]);
    expect(tf.tile([1, 2], [0]).shape).toEqual([0]);
    expect(arr(tf.tile(4, []))).toBe(4);
    expect(() => tf.tile([1, 2], [2, 2])).toThrow(/tile: reps \[2,2\] must have one integer >= 0 per axis of x \[2\]/);
  });
  it("gradient sums the copies", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.tile(t, [3]), tf.tensor([1, 2, 3, 4, 5, 6]))), [0, 0])).toEqual([9, 12]);
  });
});

describe("reverse", () => {
  it("reverses the given axes, all by default", () => {
    expect(arr(tf.reverse([[1, 2], [3, 4]], 1))).toEqual([[2, 1], [4, 3]]);
    expect(arr(tf.tensor([[1, 2], [3, 4]]).reverse())).toEqual([[4, 3], [2, 1]]);
    expect(arr(tf.reverse([[1, 2], [3, 4]], [-2]))).toEqual([[3, 4], [1, 2]]);
    expect(tf.reverse(tf.zeros([0, 2]), 0).shape).toEqual([0, 2]);
    expect(arr(tf.reverse(2))).toBe(2);
    expect(() => tf.reverse([1], 1)).toThrow(/reverse: axis 1 is out of range/);
  });
  it("gradient reverses dy", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.reverse(t), tf.tensor([1, 2, 3]))), [0, 0, 0])).toEqual([3, 2, 1]);
  });
});

describe("composites free their intermediates", () => {
  it("leaves only the results alive", () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    const before = tf.memory().numTensors;
    const outs = [tf.tile(x, [2, 2]), tf.stack([x, x]), tf.stridedSlice(x, [0], [1], [1], 0, 0, 0, 0, 1), tf.reverse([1, 2]), ...tf.split(x, 2), tf.pad([1], [[1, 1]])];
    expect(tf.memory().numTensors - before).toBe(outs.length);
    for (const o of outs) o.dispose();
    x.dispose();
  });
});
