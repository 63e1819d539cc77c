/** The matmul-sum pass: a sum of three or more matmuls compiles to one matmul over concatenated operands, within rounding of eager. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { agree } from "./helpers/random-graph.js";

const rand = (shape: number[], seed: number, dtype: "float32" | "int32" = "float32"): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, k) => Math.sin(seed * 7.1 + k * 1.37) * 2);
  return dtype === "int32" ? tf.tensor(v.map((x) => Math.round(x * 3)), shape, "int32") : tf.tensor(v, shape);
};

/** Compile `f`, check it against eager within 1e-6 relative, and return the program. */
function check(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) {
  const eager = f(...xs);
  const g = tf.compile(f);
  const got = g(...xs);
  const why = agree(got, eager, 1e-6);
  if (why) throw new Error(`${why}\n${g.concrete(...xs).toString()}`);
  return g.concrete(...xs);
}

const count = (ops: readonly string[], op: string): number => ops.filter((o) => o === op).length;
const kernelOps = (p: { kernels: { ops: readonly string[] }[] }): string[] => p.kernels.flatMap((k) => [...k.ops]);

/** Operands of `a_i @ b_i` ([m, k_i] by [k_i, n] before the transposes) for each i. */
function operands(ks: number[], ta: boolean, tb: boolean): tf.Tensor[] {
  const [m, n] = [3, 4];
  return ks.flatMap((k, i) => [rand(ta ? [k, m] : [m, k], 2 * i + 1), rand(tb ? [n, k] : [k, n], 2 * i + 2)]);
}

describe("joining sums of matmuls", () => {
  it("a chain of 4 matmuls becomes one matmul and no add", () => {
    const f = (...x: tf.Tensor[]) => tf.add(tf.add(tf.add(tf.matMul(x[0]!, x[1]!), tf.matMul(x[2]!, x[3]!)), tf.matMul(x[4]!, x[5]!)), tf.matMul(x[6]!, x[7]!));
    const p = check(f, operands([5, 2, 7, 5], false, false));
    expect(count(p.ops, "matmul")).toBe(1);
    expect(count(p.ops, "add")).toBe(0);
    expect(count(p.ops, "concat")).toBe(2);
    expect(count(kernelOps(p), "matmul")).toBe(1);
    expect(p.toString().match(/matmul/g)?.length).toBe(1);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("a tree of 4 matmuls with transposeA=%s, transposeB=%s becomes one matmul", (ta, tb) => {
    const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
    const f = (...x: tf.Tensor[]) => tf.add(tf.add(mm(x[0]!, x[1]!), mm(x[2]!, x[3]!)), tf.add(mm(x[4]!, x[5]!), mm(x[6]!, x[7]!)));
    const p = check(f, operands([4, 6, 1, 3], ta, tb));
    expect(count(p.ops, "matmul")).toBe(1);
    expect(count(p.ops, "add")).toBe(0);
  });

  it("other terms of the sum are added to the joined matmul", () => {
    const f = (c: tf.Tensor, ...x: tf.Tensor[]) => tf.add(tf.add(tf.add(tf.matMul(x[0]!, x[1]!), c), tf.matMul(x[2]!, x[3]!)), tf.matMul(x[4]!, x[5]!));
    const p = check(f, [rand([3, 4], 99), ...operands([2, 3, 4], false, false)]);
    expect(count(p.ops, "matmul")).toBe(1);
    expect(count(p.ops, "add")).toBe(1);
  });

  it("does not join a matmul read elsewhere, nor a sum whose partial sum is read elsewhere", () => {
    const x = operands([2, 3, 4, 5], false, false);
    // m1 is also an output: 2 matmuls are left to join, under the minimum of 3.
    const g = tf.compile((...x: tf.Tensor[]) => {
      const m1 = tf.matMul(x[0]!, x[1]!);
      return [tf.add(tf.add(m1, tf.matMul(x[2]!, x[3]!)), tf.matMul(x[4]!, x[5]!)), tf.relu(m1)];
    });
    g(...x);
    expect(count(g.concrete(...x).ops, "matmul")).toBe(3);
    // The partial sum m1 + m2 is read by a second output.
    const f = (...x: tf.Tensor[]) => {
      const s = tf.add(tf.matMul(x[0]!, x[1]!), tf.matMul(x[2]!, x[3]!));
      return tf.mul(tf.add(tf.add(s, tf.matMul(x[4]!, x[5]!)), tf.matMul(x[6]!, x[7]!)), tf.sum(s));
    };
    const p = check(f, x);
    expect(count(p.ops, "matmul")).toBe(4);
  });

  it("does not join matmuls with different transposes", () => {
    const a = operands([2, 3], true, false);
    const b = operands([4, 5], false, false);
    const f = (...x: tf.Tensor[]) =>
      tf.add(tf.add(tf.add(tf.matMul(x[0]!, x[1]!, true), tf.matMul(x[2]!, x[3]!, true)), tf.matMul(x[4]!, x[5]!)), tf.matMul(x[6]!, x[7]!));
    const p = check(f, [...a, ...b]);
    expect(count(p.ops, "matmul")).toBe(4);
  });

  it("does not join matmuls of different dtypes", () => {
    const xs = [rand([3, 2], 1), rand([2, 4], 2), rand([3, 5], 3), rand([5, 4], 4), rand([3, 2], 5, "int32"), rand([2, 4], 6, "int32"), rand([3, 3], 7, "int32"), rand([3, 4], 8, "int32")];
    const f = (...x: tf.Tensor[]) =>
      tf.add(tf.add(tf.add(tf.matMul(x[0]!, x[1]!), tf.matMul(x[2]!, x[3]!)), tf.cast(tf.matMul(x[4]!, x[5]!), "float32")), tf.cast(tf.matMul(x[6]!, x[7]!), "float32"));
    const p = check(f, xs);
    expect(count(p.ops, "matmul")).toBe(4);
  });

  it("does not join batched (3-D) matmuls", () => {
    const xs = [1, 2, 3, 4].flatMap((i) => [rand([2, 3, i], 2 * i), rand([2, i, 4], 2 * i + 1)]);
    const f = (...x: tf.Tensor[]) => tf.add(tf.add(tf.add(tf.matMul(x[0]!, x[1]!), tf.matMul(x[2]!, x[3]!)), tf.matMul(x[4]!, x[5]!)), tf.matMul(x[6]!, x[7]!));
    const p = check(f, xs);
    expect(count(p.ops, "matmul")).toBe(4);
  });

  it("gradients through a compiled sum of matmuls match eager, and the backward's weight gradient is joined", () => {
    const xs = [rand([2, 5], 1), rand([2, 5], 2), rand([2, 5], 3), rand([2, 5], 4)];
    const w = rand([5, 3], 9);
    // The forward shares w across time steps (a sum of 4 matmuls); its gradient is a sum of 4 matmuls too.
    const f = (w: tf.Tensor, ...x: tf.Tensor[]) => tf.sum(tf.tanh(x.map((xt) => tf.matMul(xt, w)).reduce((a, b) => tf.add(a, b))));
    const loss = (w: tf.Tensor, ...x: tf.Tensor[]) => tf.sum(tf.tanh(x.map((xt) => tf.tanh(tf.matMul(xt, w))).reduce((a, b) => tf.add(a, b))));
    const compiledF = tf.compile(f);
    const eagerGrads = tf.grads(f)([w, ...xs]);
    const compiledGrads = tf.grads((w, ...x) => compiledF(w, ...x))([w, ...xs]);
    eagerGrads.forEach((e, i) => expect(agree(compiledGrads[i]!, e, 1e-6)).toBeNull());
    // A compiled gradient of a loss whose weight gradient sums 4 matmuls (x_t^T dy_t).
    const gradW = tf.compile((w: tf.Tensor, ...x: tf.Tensor[]) => tf.grad((v: tf.Tensor) => loss(v, ...x))(w));
    const got = gradW(w, ...xs);
    expect(agree(got, tf.grad((v: tf.Tensor) => loss(v, ...xs))(w), 1e-6)).toBeNull();
    const p = gradW.concrete(w, ...xs);
    // 4 forward matmuls and one joined weight-gradient matmul.
    expect(count(p.ops, "matmul")).toBe(5);
    // A central-difference check of the compiled gradient.
    const eps = 1e-2;
    const wv = w.dataSync();
    for (const k of [0, 7, 14]) {
      const up = Float32Array.from(wv);
      const dn = Float32Array.from(wv);
      up[k]! += eps;
      dn[k]! -= eps;
      const num = (loss(tf.tensor(up, [5, 3]), ...xs).dataSync()[0]! - loss(tf.tensor(dn, [5, 3]), ...xs).dataSync()[0]!) / (2 * eps);
      expect(Math.abs(num - got.dataSync()[k]!)).toBeLessThan(2e-2 * Math.max(1, Math.abs(num)));
    }
  });
});
