/**
 * Reductions, arg-reductions, cumsum and topk: forward values computed by hand (scalars,
 * empty tensors, keepDims, negative axes, int32 and bool), errors, and gradients compared
 * with hand-derived formulas.
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

const M = [
  [1, 2],
  [3, 4],
];

describe("sum", () => {
  it("reduces all, one, negative and several axes", () => {
    expect(tf.sum(M).arraySync()).toBe(10);
    expect(tf.sum(M, 1).arraySync()).toEqual([3, 7]);
    expect(tf.sum(M, -1).arraySync()).toEqual([3, 7]);
    expect(tf.sum(M, -2).arraySync()).toEqual([4, 6]);
    const k = tf.sum(M, [1, 0], true);
    expect(k.shape).toEqual([1, 1]);
    expect(k.arraySync()).toEqual([[10]]);
    expect(tf.sum(M, [], false).arraySync()).toEqual(M);
  });
  it("keeps dims on a 3-D tensor", () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const y = tf.sum(x, [0, -1], true);
    expect(y.shape).toEqual([1, 3, 1]);
    // (1+2+7+8), (3+4+9+10), (5+6+11+12)
    expect(vals(y)).toEqual([18, 26, 34]);
  });
  it("handles scalars and empty tensors", () => {
    const s = tf.sum(5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(5);
    expect(tf.sum(tf.zeros([0, 3]), 0).arraySync()).toEqual([0, 0, 0]);
    expect(tf.sum(tf.zeros([0])).item()).toBe(0);
    expect(tf.sum(tf.zeros([2, 0]), 1, true).shape).toEqual([2, 1]);
  });
  it("sums bool as int32 and keeps int32 (wrapping)", () => {
    const b = tf.sum([true, false, true]);
    expect(b.dtype).toBe("int32");
    expect(b.item()).toBe(2);
    const i = tf.sum(tf.tensor([3, 4], [2], "int32"));
    expect(i.dtype).toBe("int32");
    expect(i.item()).toBe(7);
    expect(tf.sum(tf.tensor([2147483647, 1], [2], "int32")).item()).toBe(-2147483648);
  });
  it("is a method", () => {
    expect(tf.tensor(M).sum(0).arraySync()).toEqual([4, 6]);
  });
});

describe("mean", () => {
  it("averages and keeps dims", () => {
    expect(tf.mean(M, -1).arraySync()).toEqual([1.5, 3.5]);
    expect(tf.mean(M).item()).toBe(2.5);
    const k = tf.mean(M, 0, true);
    expect(k.shape).toEqual([1, 2]);
    expect(vals(k)).toEqual([2, 3]);
    expect(tf.mean(tf.tensor([1, 2, 3, 4, 5, 6, 7], [7])).item()).toBe(4);
  });
  it("gives float32 for int32 and bool", () => {
    const i = tf.mean(tf.tensor([1, 2], [2], "int32"));
    expect(i.dtype).toBe("float32");
    expect(i.item()).toBe(1.5);
    const b = tf.mean([true, false, false, true]);
    expect(b.dtype).toBe("float32");
    expect(b.item()).toBe(0.5);
  });
  it("is NaN over no elements, identity over no axes", () => {
    const e = tf.mean(tf.zeros([0, 2]), 0);
    expect(vals(e).every(Number.isNaN)).toBe(true);
    expect(tf.mean(3).item()).toBe(3);
  });
});

describe("prod", () => {
  it("multiplies along axes", () => {
    expect(tf.prod(M, 0).arraySync()).toEqual([3, 8]);
    expect(tf.prod(M, -1).arraySync()).toEqual([2, 12]);
    expect(tf.prod(M).item()).toBe(24);
    expect(tf.prod(M, 1, true).shape).toEqual([2, 1]);
  });
  it("is 1 over no elements; bool and int32 give int32", () => {
    expect(tf.prod(tf.zeros([0, 3]), 0).arraySync()).toEqual([1, 1, 1]);
    const b = tf.prod([true, true, false]);
    expect(b.dtype).toBe("int32");
    expect(b.item()).toBe(0);
    const i = tf.prod(tf.tensor([3, -5, 7], [3], "int32"));
    expect(i.dtype).toBe("int32");
    expect(i.item()).toBe(-105);
    // 65536 * 65536 wraps to 0 in int32
    expect(tf.prod(tf.tensor([65536, 65536], [2], "int32")).item()).toBe(0);
  });
});

describe("max and min", () => {
  it("reduce along axes", () => {
    const x = [
      [1, 5, -2],
      [3, 4, 0],
    ];
    expect(tf.max(x, 1).arraySync()).toEqual([5, 4]);
    expect(tf.min(x, 1).arraySync()).toEqual([-2, 0]);
    expect(tf.max(x, -2).arraySync()).toEqual([3, 5, 0]);
    expect(tf.min(x).item()).toBe(-2);
    expect(tf.max(x, [0, 1], true).arraySync()).toEqual([[5]]);
    expect(tf.max(-7).item()).toBe(-7);
  });
  it("follow NumPy/TF over no elements", () => {
    expect(tf.max(tf.zeros([0, 2]), 0).arraySync()).toEqual([-Infinity, -Infinity]);
    expect(tf.min(tf.zeros([0, 2]), 0).arraySync()).toEqual([Infinity, Infinity]);
    expect(tf.max(tf.zeros([0], "int32")).item()).toBe(-2147483648);
    expect(tf.min(tf.zeros([0], "int32")).item()).toBe(2147483647);
  });
  it("keep int32 and propagate NaN", () => {
    const i = tf.max(tf.tensor([3, 9, -1], [3], "int32"));
    expect(i.dtype).toBe("int32");
    expect(i.item()).toBe(9);
    expect(tf.max([1, NaN, 3]).item()).toBeNaN();
    expect(tf.min([NaN, 1, 3]).item()).toBeNaN();
  });
});

describe("argMax and argMin", () => {
  it("return int32 indices, first on ties", () => {
    const x = [
      [1, 5],
      [7, 4],
    ];
    const a = tf.argMax(x, 1);
    expect(a.dtype).toBe("int32");
    expect(a.arraySync()).toEqual([1, 0]);
    expect(tf.argMin(x, 1).arraySync()).toEqual([0, 1]);
    expect(tf.argMax(x).arraySync()).toEqual([1, 0]); // default axis 0
    expect(tf.argMax(x, -1).arraySync()).toEqual([1, 0]);
    expect(tf.argMax([3, 1, 3]).item()).toBe(0);
    expect(tf.argMin([2, 1, 5, 1]).item()).toBe(1);
  });
  it("handle 3-D, scalars, int32, empty outer axes", () => {
    const x = tf.tensor([1, 9, 2, 8, 3, 7, 6, 5, 4, 11, 0, 10], [2, 3, 2]);
    expect(tf.argMax(x, 1).arraySync()).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(tf.argMax(4).item()).toBe(0);
    expect(tf.argMin(4, -1).item()).toBe(0);
    expect(tf.argMin(tf.tensor([5, -3, 2], [3], "int32")).item()).toBe(1);
    expect(tf.argMax(tf.zeros([0, 3]), 1).shape).toEqual([0]);
  });
  it("reject an empty axis", () => {
    expect(() => tf.argMax(tf.zeros([2, 0]), 1)).toThrow(tf.ShapeError);
    expect(() => tf.argMax(tf.zeros([2, 0]), 1)).toThrow(/^argMax: axis 1/);
  });
});

describe("all and any", () => {
  const b = [
    [true, false],
    [true, true],
  ];
  it("reduce bool tensors", () => {
    expect(tf.all(b, 1).arraySync()).toEqual([false, true]);
    expect(tf.any(b, 1).arraySync()).toEqual([true, true]);
    expect(tf.all(b, 0).arraySync()).toEqual([true, false]);
    expect(tf.any([false, false]).item()).toBe(false);
    expect(tf.all(b).dtype).toBe("bool");
    expect(tf.all(b, -1, true).shape).toEqual([2, 1]);
  });
  it("are true/false over no elements", () => {
    expect(tf.all(tf.zeros([0], "bool")).item()).toBe(true);
    expect(tf.any(tf.zeros([0], "bool")).item()).toBe(false);
  });
  it("reject non-bool input", () => {
    expect(() => tf.all([1, 2])).toThrow(tf.DTypeError);
    expect(() => tf.any([1, 2])).toThrow(/^any: /);
  });
});

describe("cumsum", () => {
  it("runs forward, exclusive, reverse and both", () => {
    expect(tf.cumsum([1, 2, 3]).arraySync()).toEqual([1, 3, 6]);
    expect(tf.cumsum([1, 2, 3], 0, true).arraySync()).toEqual([0, 1, 3]);
    expect(tf.cumsum([1, 2, 3], 0, false, true).arraySync()).toEqual([6, 5, 3]);
    expect(tf.cumsum([1, 2, 3], 0, true, true).arraySync()).toEqual([5, 3, 0]);
  });
  it("works along any axis", () => {
    expect(tf.cumsum(M, 1).arraySync()).toEqual([
      [1, 3],
      [3, 7],
    ]);
    expect(tf.cumsum(M, -1).arraySync()).toEqual([
      [1, 3],
      [3, 7],
    ]);
    expect(tf.cumsum(M).arraySync()).toEqual([
      [1, 2],
      [4, 6],
    ]);
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    expect(vals(tf.cumsum(x, 1, false, true))).toEqual([4, 6, 3, 4, 12, 14, 7, 8]);
  });
  it("handles scalars, empty tensors, int32 and bool", () => {
    expect(tf.cumsum(5).item()).toBe(5);
    expect(tf.cumsum(5, -1, true).item()).toBe(0);
    expect(tf.cumsum(tf.zeros([0, 3])).shape).toEqual([0, 3]);
    const i = tf.cumsum(tf.tensor([1, 2, 3], [3], "int32"));
    expect(i.dtype).toBe("int32");
    expect(i.arraySync()).toEqual([1, 3, 6]);
    const b = tf.cumsum([true, true, false, true]);
    expect(b.dtype).toBe("int32");
    expect(b.arraySync()).toEqual([1, 2, 2, 3]);
  });
});

describe("topk", () => {
  it("returns the k largest and their indices, ties lower index first", () => {
    const { values, indices } = tf.topk([1, 9, 3, 9], 2);
    expect(values.arraySync()).toEqual([9, 9]);
    expect(indices.dtype).toBe("int32");
    expect(indices.arraySync()).toEqual([1, 3]);
    expect(tf.topk([4, 2, 8]).values.arraySync()).toEqual([8]); // k = 1
  });
  it("is sorted by value or, unsorted, in index order", () => {
    const s = tf.topk([7, 1, 9], 2, true);
    expect(s.values.arraySync()).toEqual([9, 7]);
    expect(s.indices.arraySync()).toEqual([2, 0]);
    const u = tf.topk([7, 1, 9], 2, false);
    expect(u.values.arraySync()).toEqual([7, 9]);
    expect(u.indices.arraySync()).toEqual([0, 2]);
  });
  it("works per row, for k = 0, k = n, empty batches and int32", () => {
    const x = [
      [1, 5, 3],
      [6, 2, 4],
    ];
    const r = tf.topk(x, 2);
    expect(r.values.arraySync()).toEqual([
      [5, 3],
      [6, 4],
    ]);
    expect(r.indices.arraySync()).toEqual([
      [1, 2],
      [0, 2],
    ]);
    expect(tf.topk(x, 0).values.shape).toEqual([2, 0]);
    expect(tf.topk(x, 3).indices.arraySync()).toEqual([
      [1, 2, 0],
      [0, 2, 1],
    ]);
    expect(tf.topk(tf.zeros([0, 4]), 2).values.shape).toEqual([0, 2]);
    const i = tf.topk(tf.tensor([5, -1, 8], [3], "int32"), 2);
    expect(i.values.dtype).toBe("int32");
    expect(i.values.arraySync()).toEqual([8, 5]);
  });
  it("rejects k out of range and scalars", () => {
    expect(() => tf.topk([1, 2, 3], 4)).toThrow(tf.InvalidArgumentError);
    expect(() => tf.topk([1, 2, 3], 4)).toThrow(/^topk: k must be/);
    expect(() => tf.topk([1, 2, 3], -1)).toThrow(/^topk: /);
    expect(() => tf.topk(3, 1)).toThrow(tf.ShapeError);
  });
  it("is a method", () => {
    expect(tf.tensor([1, 3, 2]).topk(1).indices.arraySync()).toEqual([1]);
  });
});

describe("axis errors name the op", () => {
  it.each([
    ["sum", () => tf.sum(M, 2)],
    ["mean", () => tf.mean(M, -3)],
    ["prod", () => tf.prod(M, [0, 5])],
    ["max", () => tf.max(M, 1.5)],
    ["min", () => tf.min(M, 2)],
    ["all", () => tf.all([[true]], 2)],
    ["any", () => tf.any([[true]], -3)],
    ["argMax", () => tf.argMax(M, 2)],
    ["argMin", () => tf.argMin(M, -3)],
    ["cumsum", () => tf.cumsum(M, 2)],
  ])("%s", (op, f) => {
    expect(f).toThrow(tf.AxisError);
    expect(f).toThrow(new RegExp(`^${op}: axis`));
  });
  it("repeated axes", () => {
    expect(() => tf.sum(M, [1, -1])).toThrow(/^sum: repeated axis/);
  });
  it("bad keepDims", () => {
    expect(() => tf.sum(M, 0, "yes" as unknown as boolean)).toThrow(/^sum: keepDims must be a boolean/);
  });
});

describe("gradients", () => {
  it("sum broadcasts dy", () => {
    expect(grad1((x) => tf.sum(x, 1), M).arraySync()).toEqual([
      [1, 1],
      [1, 1],
    ]);
    // f = sum_j (sum_i x_ij)^2 -> df/dx_ij = 2 s_j with s = [4, 6]
    expect(grad1((x) => tf.sum(tf.square(tf.sum(x, 0))), M).arraySync()).toEqual([
      [8, 12],
      [8, 12],
    ]);
    // keepDims and negative axis: same rule
    expect(grad1((x) => tf.sum(tf.mul(tf.sum(x, -1, true), [[1], [2]])), M).arraySync()).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
  it("mean divides by the count", () => {
    close(grad1((x) => tf.mean(x), [[1, 2, 3], [4, 5, 6]]), [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6]);
    // f = mean(row 0) + 2 mean(row 1)
    close(grad1((x) => tf.sum(tf.mul(tf.mean(x, 1), [1, 2])), [[1, 2, 3], [4, 5, 6]]), [1 / 3, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3]);
  });
  it("max and min route dy to the extremum, split among ties", () => {
    close(grad1((x) => tf.max(x), [1, 3, 3, 2]), [0, 0.5, 0.5, 0]);
    close(grad1((x) => tf.min(x), [2, 1, 5, 1, 1]), [0, 1 / 3, 0, 1 / 3, 1 / 3]);
    // per row, weighted: row 0 max at index 1; row 1 tie between 0 and 2
    close(grad1((x) => tf.sum(tf.mul(tf.max(x, 1), [1, 4])), [[0, 5, 2], [7, 1, 7]]), [0, 1, 0, 2, 0, 2]);
  });
  it("max has a zero second derivative, not an error", () => {
    const dmax = (x: tf.Tensor) => tf.sum(tf.mul(grad1((y) => tf.max(y, 1), x), [[1, 2, 3], [4, 5, 6]]));
    close(grad1(dmax, [[0, 5, 2], [7, 1, 7]]), [0, 0, 0, 0, 0, 0]);
  });
  it("prod is the product of the others, also at zeros", () => {
    close(grad1((x) => tf.prod(x), [2, 3, 4]), [12, 8, 6]);
    close(grad1((x) => tf.prod(x), [2, 0, 4]), [0, 8, 0]);
    close(grad1((x) => tf.prod(x), [0, 3, 0]), [0, 0, 0]);
    close(grad1((x) => tf.sum(tf.prod(x, 1)), M), [2, 1, 4, 3]);
  });
  it("prod is differentiable again", () => {
    // d/dx (df/dx0) for f = x0 x1 x2 is [0, x2, x1]
    const dfdx0 = (x: tf.Tensor) => tf.sum(tf.mul(grad1((y) => tf.prod(y), x), [1, 0, 0]));
    close(grad1(dfdx0, [2, 3, 4]), [0, 4, 3]);
  });
  it("cumsum runs the scan backwards", () => {
    const w = [1, 2, 3];
    // dx_j = sum_{i >= j} w_i
    close(grad1((x) => tf.sum(tf.mul(tf.cumsum(x), w)), [5, 6, 7]), [6, 5, 3]);
    // exclusive: dx_j = sum_{i > j} w_i
    close(grad1((x) => tf.sum(tf.mul(tf.cumsum(x, 0, true), w)), [5, 6, 7]), [5, 3, 0]);
    // reverse: dx_j = sum_{i <= j} w_i
    close(grad1((x) => tf.sum(tf.mul(tf.cumsum(x, 0, false, true), w)), [5, 6, 7]), [1, 3, 6]);
    // exclusive and reverse: dx_j = sum_{i < j} w_i
    close(grad1((x) => tf.sum(tf.mul(tf.cumsum(x, -1, true, true), [w, w])), [[5, 6, 7], [1, 1, 1]]), [0, 1, 3, 0, 1, 3]);
  });
  it("topk scatters dy into the selected positions", () => {
    close(grad1((x) => tf.sum(tf.mul(tf.topk(x, 2).values, [10, 20])), [1, 9, 3, 7]), [0, 10, 0, 20]);
    close(
      grad1((x) => tf.sum(tf.mul(tf.topk(x, 2, false).values, [[1, 2], [3, 4]])), [[1, 5, 3], [6, 2, 4]]),
      [0, 1, 2, 3, 0, 4],
    );
  });
  it("gradients do not leak", () => {
    const x = tf.tensor([1, 3, 3, 2]);
    const before = tf.memory().numTensors;
    const g = grad1((y) => tf.add(tf.max(y), tf.sum(tf.topk(y, 2).values)), x);
    close(g, [0, 1.5, 1.5, 0]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
