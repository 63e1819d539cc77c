/**
 * Index ops: hand-computed forward values (batchDims, duplicates, scalars, empty indices),
 * errors for bad dtypes and out-of-range indices, hand-derived gradients, and every op-table
 * test case checked by central differences and by the adjoint identity (second order).
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { opTable, type OpName } from "../src/ops/table.js";
import { runOp } from "../src/engine/dispatch.js";

const arr = (t: tf.Tensor) => t.arraySync();
const grad1 = (f: (x: tf.Tensor) => tf.Tensor, x: tf.TensorLike) => arr(tf.gradientsFunction(f)(x)[0]!);
/** A deterministic sequence in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Check an op's gradients on every test case: first order by differences, second by adjointness. */
function checkOpGradients(name: OpName): void {
  const def = opTable[name];
  def.test.cases.forEach((c, ci) => {
    const r = rng(ci + 7);
    const spec = def.test as { intInputs?: Record<number, readonly [number, number]> };
    const inputs = c.shapes.map((shape, k) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const dt = (c as { dtypes?: readonly tf.DType[] }).dtypes?.[k] ?? "float32";
      const range = spec.intInputs?.[k];
      if (range) return tf.tensor(Array.from({ length: n }, () => range[0] + Math.floor(r() * (range[1] - range[0]))), shape, "int32");
      return tf.tensor(Array.from({ length: n }, () => r() * 4 - 2), shape, dt === "float32" ? "float64" : dt);
    });
    const floats = inputs.flatMap((t, k) => (t.dtype === "float64" ? [k] : []));
    const run = (xs: tf.Tensor[]) => runOp(name, xs, c.attrs as never)[0]!;
    const withFloats = (fl: tf.Tensor[]) => inputs.map((t, k) => (floats.includes(k) ? fl[floats.indexOf(k)]! : t));
    const y = run(inputs);
    const w = tf.tensor(Array.from({ length: y.size }, () => r() - 0.5), y.shape, "float64");
    const f = (...fl: tf.Tensor[]) => tf.sum(tf.mul(run(withFloats(fl)), w));
    const grads = tf.gradientsFunction(f)(...floats.map((k) => inputs[k]!));
    const eps = 1e-3;
    floats.forEach((k, j) => {
      const x = inputs[k]!.dataSync();
      const numeric = Array.from(x, (_, e) => {
        const at = (d: number) => {
          const p = Float64Array.from(x);
          p[e]! += d;
          const fl = floats.map((q) => (q === k ? tf.tensor(p, inputs[k]!.shape, "float64") : inputs[q]!));
          return f(...fl).item() as number;
        };
        return (at(eps) - at(-eps)) / (2 * eps);
      });
      const analytic = Array.from(grads[j]!.dataSync());
      expect(grads[j]!.shape, `${name} case ${ci} input ${k}`).toEqual(inputs[k]!.shape);
      analytic.forEach((v, e) => expect(Math.abs(v - numeric[e]!), `${name} case ${ci} input ${k} element ${e}`).toBeLessThan(1e-7));
      // Second order: d/du <J^T u, v> = J v = op(.., v, ..) - op(.., 0, ..) (the op is affine in input k).
      const u = tf.tensor(Array.from({ length: y.size }, () => r() - 0.5), y.shape, "float64");
      const v = tf.tensor(Array.from({ length: inputs[k]!.size }, () => r() - 0.5), inputs[k]!.shape, "float64");
      const outer = new tf.GradientTape();
      outer.watch(u);
      const target = outer.record(() => {
        const inner = new tf.GradientTape();
        const xk = inputs[k]!;
        inner.watch(xk);
        const yk = inner.record(() => run(inputs));
        return tf.sum(tf.mul(inner.gradient(yk, xk, u)!, v));
      });
      const second = outer.gradient(target, u)!;
      const zeros = floats.map((q) => tf.zerosLike(inputs[q]!));
      const expected = tf.sub(run(withFloats(zeros.map((z, j2) => (j2 === j ? v : z)))), run(withFloats(zeros)));
      expect(second.shape).toEqual(expected.shape);
      const e2 = expected.dataSync();
      second.dataSync().forEach((s, e) => expect(Math.abs(s - e2[e]!), `${name} case ${ci} second order element ${e}`).toBeLessThan(1e-9));
    });
  });
}

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
