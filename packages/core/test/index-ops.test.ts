/**
 * Index ops: hand-computed forward values (batchDims, duplicates, scalars, empty indices),
 * errors for bad dtypes and out-of-range indices, hand-derived gradients, and every op-table
 * test case checked by central differences and by the adjoint identity (second order).
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { opTable } from "../src/ops/table.js";
import { runOp } from "../src/engine/dispatch.js";
import { checkOpGradients } from "./helpers/linear-op-gradients.js";

const arr = (t: tf.Tensor) => t.arraySync();
const grad1 = (f: (x: tf.Tensor) => tf.Tensor, x: tf.TensorLike) => arr(tf.gradientsFunction(f)(x)[0]!);

describe("op-table cases: gradients of index primitives", () => {
  for (const name of ["gather", "unsortedSegmentSum", "gatherND", "scatterND"] as const) it(name, () => checkOpGradients(name));
  it("oneHot runs its cases and declares no gradient", () => {
    for (const c of opTable.oneHot.test.cases) {
      const y = runOp("oneHot", [tf.zeros(c.shapes[0]!, "int32")], c.attrs)[0]!;
      expect(y.shape).toEqual([...c.shapes[0]!, c.attrs.depth]);
    }
    expect(opTable.oneHot.vjp).toBe("none");
  });
});

const int = (v: tf.TensorLike, shape?: number[]) => tf.tensor(v, shape, "int32");

describe("gather", () => {
  it("gathers along axis 0 and other axes", () => {
    expect(arr(tf.gather([10, 20, 30], [2, 0, 2]))).toEqual([30, 10, 30]);
    const x = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(arr(x.gather([1], 0))).toEqual([[4, 5, 6]]);
    expect(arr(tf.gather(x, [[2, 0], [1, 1]], 1))).toEqual([[[3, 1], [2, 2]], [[6, 4], [5, 5]]]);
    expect(arr(tf.gather(x, [2], -1))).toEqual([[3], [6]]);
    expect(arr(tf.gather(x, 1))).toEqual([4, 5, 6]);
    expect(tf.gather(x, int([], [0])).shape).toEqual([0, 3]);
    expect(tf.gather(tf.tensor([1, 2, 3], [3], "int32"), [1]).dtype).toBe("int32");
  });
  it("matches batch axes pairwise with batchDims", () => {
    const x = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(arr(tf.gather(x, [[2, 0], [1, 1]], 1, 1))).toEqual([[3, 1], [5, 5]]);
    expect(arr(tf.gather(x, [[0], [2]], 1, -1))).toEqual([[1], [6]]);
  });
  it("requires int32 indices in range", () => {
    expect(() => tf.gather([1, 2, 3], tf.tensor([0, 1]))).toThrow(/gather: indices must be int32, got float32/);
    expect(() => tf.gather([1, 2, 3], [0.5])).toThrow(tf.DTypeError);
    expect(() => tf.gather([1, 2, 3], [0, 3])).toThrow(/gather: indices\[1\] = 3 is not in \[0, 3\)/);
    expect(() => tf.gather([[1, 2], [3, 4]], [[0], [-1]], 1)).toThrow(/gather: indices\[1,0\] = -1 is not in \[0, 2\) \(axis 1 of x \[2,2\]\)/);
    expect(() => tf.gather([1, 2], [0], 1)).toThrow(tf.AxisError);
    expect(() => tf.gather(5, [0])).toThrow(/gather: x is a scalar/);
    expect(() => tf.gather([[1, 2]], [[0], [0]], 1, 1)).toThrow(/gather: the first 1 \(batch\) dimensions of x \[1,2\] and indices \[2,1\] differ/);
    expect(() => tf.gather([[1, 2]], [[0]], 0, 1)).toThrow(/batchDims 1 must be in \[0, min\(axis 0/);
  });
  it("gradient scatter-adds into zeros", () => {
    expect(grad1((x) => tf.sum(tf.gather(x, [0, 0, 2])), [5, 6, 7])).toEqual([2, 0, 1]);
    expect(grad1((x) => tf.sum(tf.mul(tf.gather(x, [[1, 1]], 1), tf.tensor([[[1, 2]], [[3, 4]]]))), [[0, 0], [0, 0]])).toEqual([[0, 3], [0, 7]]);
    expect(grad1((x) => tf.sum(tf.mul(tf.gather(x, [[1, 1], [0, 1]], 1, 1), tf.tensor([[1, 2], [3, 4]]))), [[0, 0], [0, 0]])).toEqual([[0, 3], [3, 4]]);
  });
  it("second derivative flows through the scatter", () => {
    // f = sum(gather(x, [1, 1])^3) = 2 x1^3: f'' = [0, 12 x1]
    const g = (x: tf.Tensor) => tf.gradientsFunction((t) => tf.sum(tf.pow(tf.gather(t, [1, 1]), 3)))(x)[0]!;
    expect(grad1((x) => tf.sum(g(x)), [4, 2])).toEqual([0, 24]);
  });
});

describe("unsortedSegmentSum", () => {
  it("sums into segments (TF.js signature)", () => {
    expect(arr(tf.unsortedSegmentSum([1, 2, 3, 4], [0, 2, 0, 1], 3))).toEqual([4, 4, 2]);
    expect(arr(tf.unsortedSegmentSum([[1, 2], [3, 4], [5, 6]], [1, 1, 0], 3))).toEqual([[5, 6], [4, 6], [0, 0]]);
    expect(arr(tf.unsortedSegmentSum(tf.zeros([0]), int([], [0]), 2))).toEqual([0, 0]);
    expect(() => tf.unsortedSegmentSum([1, 2], [0, 2], 2)).toThrow(/unsortedSegmentSum: indices\[1\] = 2 is not in \[0, 2\)/);
    expect(() => tf.unsortedSegmentSum([1, 2], [0], 2)).toThrow(tf.ShapeError);
  });
  it("gradient gathers dy", () => {
    expect(grad1((x) => tf.sum(tf.mul(tf.unsortedSegmentSum(x, [2, 0, 2], 3), tf.tensor([1, 10, 100]))), [0, 0, 0])).toEqual([100, 1, 100]);
  });
});

describe("gatherND", () => {
  const x = tf.tensor([[1, 2], [3, 4]]);
  it("gathers elements and slices by index tuples", () => {
    expect(arr(tf.gatherND(x, [[1, 0], [0, 1]]))).toEqual([3, 2]);
    expect(arr(x.gatherND([[1]]))).toEqual([[3, 4]]);
    expect(arr(tf.gatherND(x, [1, 1]))).toBe(4);
    expect(tf.gatherND(x, int([], [0, 2])).shape).toEqual([0]);
    expect(arr(tf.gatherND(x, int([], [2, 0])))).toEqual([[[1, 2], [3, 4]], [[1, 2], [3, 4]]]);
  });
  it("rejects bad indices", () => {
    expect(() => tf.gatherND(x, [[0, 2]])).toThrow(/gatherND: indices\[0,1\] = 2 is not in \[0, 2\) \(axis 1 of x \[2,2\]\)/);
    expect(() => tf.gatherND(x, [[0, 0, 0]])).toThrow(/gatherND: indices \[1,3\] must have rank >= 1 and a last dimension <= rank of x \[2,2\]/);
    expect(() => tf.gatherND(x, tf.tensor([[0, 0]]))).toThrow(tf.DTypeError);
  });
  it("gradient scatters dy back, adding duplicates", () => {
    expect(grad1((t) => tf.sum(tf.mul(tf.gatherND(t, [[1, 0], [1, 0], [0, 1]]), tf.tensor([1, 2, 5]))), [[0, 0], [0, 0]])).toEqual([[0, 5], [3, 0]]);
  });
});

describe("scatterND", () => {
  it("adds updates into zeros, duplicates summed", () => {
    expect(arr(tf.scatterND([[1], [3], [1]], [9, 10, 11], [4]))).toEqual([0, 20, 0, 10]);
    expect(arr(tf.scatterND([[0], [2]], [[1, 2], [3, 4]], [3, 2]))).toEqual([[1, 2], [0, 0], [3, 4]]);
    expect(arr(tf.scatterND([[1, 1]], [5], [2, 2]))).toEqual([[0, 0], [0, 5]]);
    expect(arr(tf.scatterND(int([], [0, 1]), tf.zeros([0]), [2]))).toEqual([0, 0]);
    expect(tf.scatterND([[0]], tf.tensor([3], [1], "int32"), [2]).dtype).toBe("int32");
  });
  it("rejects bad shapes and indices", () => {
    expect(() => tf.scatterND([[1]], [1, 2], [4])).toThrow(/scatterND: updates \[2\] must have shape \[1\] for indices \[1,1\] and shape \[4\]/);
    expect(() => tf.scatterND([[4]], [1], [4])).toThrow(/scatterND: indices\[0,0\] = 4 is not in \[0, 4\) \(axis 0 of shape \[4\]\)/);
    expect(() => tf.scatterND(tf.tensor([[1]]), [1], [4])).toThrow(tf.DTypeError);
  });
  it("gradient gathers dy for the updates", () => {
    const g = tf.gradientsFunction((u) => tf.sum(tf.mul(tf.scatterND([[2], [0], [2]], u!, [3]), tf.tensor([1, 10, 100]))))([0, 0, 0]);
    expect(arr(g[0]!)).toEqual([100, 1, 100]);
  });
});

describe("oneHot", () => {
  it("encodes with on/off values and dtype", () => {
    expect(arr(tf.oneHot([0, 2], 3))).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(arr(tf.oneHot(1, 2))).toEqual([0, 1]);
    const y = tf.oneHot([[1], [0]], 2, 5, -1, "int32");
    expect(y.dtype).toBe("int32");
    expect(arr(y)).toEqual([[[-1, 5]], [[5, -1]]]);
    expect(arr(int([2, 0]).oneHot(2, 1, 0, "bool"))).toEqual([[false, false], [true, false]]);
    expect(tf.oneHot(int([], [0]), 4).shape).toEqual([0, 4]);
  });
  it("gives a row of offValue outside [0, depth), as TF", () => {
    expect(arr(tf.oneHot([-1, 3, 1], 3))).toEqual([[0, 0, 0], [0, 0, 0], [0, 1, 0]]);
  });
  it("rejects bad arguments", () => {
    expect(() => tf.oneHot(tf.tensor([0]), 3)).toThrow(/oneHot: indices must be int32, got float32/);
    expect(() => tf.oneHot([0], -1)).toThrow(/oneHot: depth must be an integer >= 0, got -1/);
  });
});
