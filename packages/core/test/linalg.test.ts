/**
 * Linear algebra: matmul (transposes, broadcast batches, int32, empty), dot and outer against
 * hand-computed values, gradients against central differences in float64, and errors.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import type { Tensor } from "@eager/core";

const vals = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

function rand(shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
  return tf.tensor(v, shape, "float64");
}

/** Central differences of sum(f(...xs)) for every element of every input, in float64. */
function numericGrads(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], h = 1e-6): number[][] {
  return inputs.map((x, k) =>
    vals(x).map((_, i) => {
      const at = (d: number): number => {
        const v = vals(x);
        v[i] = v[i]! + d;
        return vals(tf.sum(f(...inputs.map((t, j) => (j === k ? tf.tensor(v, x.shape, "float64") : t)))))[0]!;
      };
      return (at(h) - at(-h)) / (2 * h);
    }),
  );
}

function expectGradients(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const w = rand([...f(...inputs).shape], 42);
  const loss = (...xs: Tensor[]): Tensor => tf.sum(tf.mul(f(...xs), w));
  const got = tf.gradientsFunction(loss)(...inputs);
  const want = numericGrads(loss, inputs);
  got.forEach((g, k) => {
    expect(g.shape).toEqual(inputs[k]!.shape);
    vals(g).forEach((v, i) => expect(v).toBeCloseTo(want[k]![i]!, 7));
  });
}

describe("matmul", () => {
  const a = tf.tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tf.tensor([[7, 8], [9, 10], [11, 12]]);

  it("multiplies matrices, with each transpose flag", () => {
    const ab = [58, 64, 139, 154];
    expect(vals(tf.matmul(a, b))).toEqual(ab);
    expect(vals(tf.matmul(tf.tensor([[1, 4], [2, 5], [3, 6]]), b, true))).toEqual(ab);
    expect(vals(tf.matmul(a, tf.tensor([[7, 9, 11], [8, 10, 12]]), false, true))).toEqual(ab);
    expect(vals(tf.matmul(tf.tensor([[1, 4], [2, 5], [3, 6]]), tf.tensor([[7, 9, 11], [8, 10, 12]]), true, true))).toEqual(ab);
    expect(vals(a.matmul(b))).toEqual(ab);
    expect(vals(tf.matMul(a, b))).toEqual(ab);
  });

  it("broadcasts batch dimensions", () => {
    // a: two batches [[1,2],[3,4]] and 10x that; b: one matrix shared by both.
    const batched = tf.tensor([1, 2, 3, 4, 10, 20, 30, 40], [2, 2, 2]);
    const y = tf.matmul(batched, tf.tensor([[1, 0], [1, 1]]));
    expect(y.shape).toEqual([2, 2, 2]);
    expect(vals(y)).toEqual([3, 2, 7, 4, 30, 20, 70, 40]);
    // [3,1,1,2] x [2,2,1] -> [3,2,1,1]
    const z = tf.matmul(tf.tensor([1, 1, 2, 2, 3, 3], [3, 1, 1, 2]), tf.tensor([1, 0, 0, 1], [2, 2, 1]));
    expect(z.shape).toEqual([3, 2, 1, 1]);
    expect(vals(z)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it("keeps int32, and gives zeros for an empty inner dimension", () => {
    const y = tf.matmul(tf.tensor([[1, 2]], undefined, "int32"), tf.tensor([[3], [4]], undefined, "int32"));
    expect(y.dtype).toBe("int32");
    expect(vals(y)).toEqual([11]);
    const e = tf.matmul(tf.zeros([3, 0]), tf.zeros([0, 2]));
    expect(e.shape).toEqual([3, 2]);
    expect(vals(e)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(tf.matmul(tf.zeros([0, 4]), tf.zeros([4, 3])).shape).toEqual([0, 3]);
  });

  it("has gradients for every transpose combination and broadcast batches", () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const x = rand(ta ? [4, 3] : [3, 4], 1);
      const y = rand(tb ? [5, 4] : [4, 5], 2);
      expectGradients((p, q) => tf.matmul(p, q, ta, tb), [x, y]);
    }
    expectGradients((p, q) => tf.matmul(p, q), [rand([2, 1, 3, 2], 3), rand([3, 2, 2], 4)]);
    // Second order: the gradient of <d/dB sum((A B)^2 W), S>, checked numerically.
    const s = rand([4, 5], 5);
    const w = rand([3, 5], 6);
    const inner = (p: Tensor, q: Tensor): Tensor => tf.sum(tf.mul(tf.gradientsFunction((u, v) => tf.sum(tf.mul(tf.square(tf.matmul(u, v)), w)))(p, q)[1]!, s));
    expectGradients(inner, [rand([3, 4], 7), rand([4, 5], 8)]);
  });

  it("names the shapes in its errors", () => {
    expect(() => tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow(tf.ShapeError);
    expect(() => tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow("matmul: inner dimensions differ: a is [2,3], b is [4,5]");
    expect(() => tf.matmul(tf.zeros([3]), tf.zeros([3, 1]))).toThrow(/^matmul: both inputs need rank >= 2, got a \[3\]/);
    expect(() => tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 1]))).toThrow(/^matmul \(batch dimensions\): shapes \[2\] and \[3\] cannot be broadcast/);
  });
});

describe("dot", () => {
  it("follows TF.js for ranks 1 and 2", () => {
    const v = tf.dot([1, 2, 3], [4, 5, 6]);
    expect(v.shape).toEqual([]);
    expect(vals(v)).toEqual([32]);
    const m = tf.tensor([[1, 2], [3, 4]]);
    const mv = tf.dot(m, [5, 6]);
    expect(mv.shape).toEqual([2]);
    expect(vals(mv)).toEqual([17, 39]);
    const vm = tf.dot([5, 6], m);
    expect(vm.shape).toEqual([2]);
    expect(vals(vm)).toEqual([23, 34]);
    const mm = tf.dot(m, tf.tensor([[1, 0, 2], [0, 1, 3]]));
    expect(mm.shape).toEqual([2, 3]);
    expect(vals(mm)).toEqual([1, 2, 8, 3, 4, 18]);
    expect(vals(tf.tensor([1, 2]).dot([3, 4]))).toEqual([11]);
  });

  it("differentiates through its reshapes", () => {
    const [ga, gb] = tf.gradientsFunction((p, q) => tf.dot(p, q))([1, 2, 3], [4, 5, 6]);
    expect(vals(ga!)).toEqual([4, 5, 6]);
    expect(vals(gb!)).toEqual([1, 2, 3]);
    expectGradients((p, q) => tf.dot(p, q), [rand([3], 9), rand([3, 2], 10)]);
    expectGradients((p, q) => tf.dot(p, q), [rand([2, 3], 11), rand([3], 12)]);
  });

  it("checks ranks and inner dimensions", () => {
    expect(() => tf.dot(tf.zeros([2, 2, 2]), tf.zeros([2]))).toThrow("dot: inputs must be rank 1 or 2, got a [2,2,2] and b [2]");
    expect(() => tf.dot(tf.zeros([2, 3]), tf.zeros([2]))).toThrow("dot: inner dimensions differ: a [2,3] has 3, b [2] has 2");
  });
});

describe("outer", () => {
  it("multiplies every pair", () => {
    const y = tf.outer([1, 2], [3, 4, 5]);
    expect(y.shape).toEqual([2, 3]);
    expect(vals(y)).toEqual([3, 4, 5, 6, 8, 10]);
    expect(vals(tf.outerProduct([2], [1, -1]))).toEqual([2, -2]);
    expect(tf.outer(tf.zeros([0]), [1, 2]).shape).toEqual([0, 2]);
  });

  it("has gradients (rows weighted by b, columns by a)", () => {
    const [ga, gb] = tf.gradientsFunction((p, q) => tf.outer(p, q))([1, 2], [3, 4, 5]);
    expect(vals(ga!)).toEqual([12, 12]);
    expect(vals(gb!)).toEqual([3, 3, 3]);
    expectGradients((p, q) => tf.outer(p, q), [rand([3], 13), rand([4], 14)]);
  });

  it("needs vectors", () => {
    expect(() => tf.outer(tf.zeros([2, 1]), [1])).toThrow("outer: inputs must be rank 1, got a [2,1] and b [1]");
  });
});
