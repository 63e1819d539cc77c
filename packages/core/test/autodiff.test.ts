/** Gradient APIs: functions, implicit gradients, GradientTape, custom gradients, higher order. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

const val = (t: tf.Tensor | null) => (t === null ? null : (t.arraySync() as number));

describe("gradient functions", () => {
  it("gives one gradient per argument", () => {
    const g = tf.gradientsFunction((a, b) => tf.add(tf.mul(a, b), tf.square(b)));
    const [da, db] = g(2, 3);
    expect(val(da!)).toBe(3);
    expect(val(db!)).toBe(2 + 6);
  });
  it("sums a non-scalar result", () => {
    const [d] = tf.gradientsFunction((x) => tf.mul(x, tf.tensor([1, 2, 3])))(tf.tensor([5, 5, 5]));
    expect(d!.arraySync()).toEqual([1, 2, 3]);
  });
  it("returns zeros for an argument the result does not depend on", () => {
    const [, db] = tf.gradientsFunction((a, _b) => tf.square(a))(2, tf.tensor([1, 2]));
    expect(db!.arraySync()).toEqual([0, 0]);
  });
  it("accepts a function returning a number", () => {
    const [d] = tf.gradientsFunction(() => 3)(1);
    expect(val(d!)).toBe(0);
  });
  it("value and gradients", () => {
    const [v, [d]] = tf.valueAndGradientsFunction((x) => tf.exp(x))(0);
    expect(val(v)).toBe(1);
    expect(val(d!)).toBe(1);
  });
  it("differentiates to third order", () => {
    const f = (x: tf.Tensor) => tf.mul(tf.mul(x, x), x); // x^3
    const d1 = tf.gradientsFunction(f);
    const d2 = tf.gradientsFunction((x) => d1(x)[0]!);
    const d3 = tf.gradientsFunction((x) => d2(x)[0]!);
    expect(val(d1(2)[0]!)).toBe(12);
    expect(val(d2(2)[0]!)).toBe(12);
    expect(val(d3(2)[0]!)).toBe(6);
  });
  it("rejects non-float results with a named error", () => {
    expect(() => tf.gradientsFunction((x) => tf.greater(x, 0))(1)).toThrow(tf.DTypeError);
  });
});

describe("implicit gradients", () => {
  it("pairs every trainable variable used with its gradient, in order of use", () => {
    const w = tf.variable(tf.tensor([[1, 2], [3, 4]]), { name: "w" });
    const b = tf.variable(tf.tensor([1, 1]), { name: "b" });
    const frozen = tf.variable(tf.tensor([5, 5]), { name: "frozen", trainable: false });
    const unused = tf.variable(tf.tensor([0]), { name: "unused" });
    const f = (x: tf.Tensor) => tf.sum(tf.add(tf.add(tf.matmul(x, w), b), frozen));
    const pairs = tf.implicitGradients(f)(tf.tensor([[1, 1]]));
    expect(pairs.map(([, v]) => v.name)).toEqual(["w", "b"]);
    expect(pairs[0]![0].arraySync()).toEqual([[1, 1], [1, 1]]);
    expect(pairs[1]![0].arraySync()).toEqual([1, 1]);
    const [value, pairs2] = tf.implicitValueAndGradients(f)(tf.tensor([[1, 1]]));
    expect(value.arraySync()).toBe(4 + 6 + 2 + 10);
    expect(pairs2.length).toBe(2);
    unused.dispose();
  });
  it("uses the value a variable had when it was read", () => {
    const v = tf.variable(tf.scalar(3));
    const tape = new tf.GradientTape();
    const y = tape.record(() => tf.square(v));
    v.assign(100);
    expect(val(tape.gradient(y, v))).toBe(6);
  });
});

describe("GradientTape", () => {
  it("watches tensors and computes gradients", () => {
    const x = tf.scalar(3);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => tf.mul(x, x));
    expect(val(tape.gradient(y, x))).toBe(6);
    expect(() => tape.gradient(y, x)).toThrow(/non-persistent/);
  });
  it("persistent tapes compute several gradients", () => {
    const x = tf.scalar(2);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const [y, z] = tape.record(() => [tf.square(x), tf.exp(x)]);
    expect(val(tape.gradient(y!, x))).toBe(4);
    expect(val(tape.gradient(z!, x))).toBeCloseTo(Math.exp(2), 4);
    tape.dispose();
  });
  it("returns null for unconnected sources", () => {
    const x = tf.scalar(2);
    const u = tf.scalar(1);
    const tape = new tf.GradientTape();
    tape.watch(x, u);
    const y = tape.record(() => tf.square(x));
    expect(tape.gradient(y, [x, u])[1]).toBeNull();
  });
  it("nests for second derivatives", () => {
    const x = tf.scalar(3);
    const outer = new tf.GradientTape();
    outer.watch(x);
    const dy = outer.record(() => {
      const inner = new tf.GradientTape();
      inner.watch(x);
      const y = inner.record(() => tf.mul(tf.mul(x, x), x));
      return inner.gradient(y, x)!;
    });
    expect(val(dy)).toBe(27);
    expect(val(outer.gradient(dy, x))).toBe(18);
  });
  it("records across await", async () => {
    const x = tf.scalar(4);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = await tape.record(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return tf.sqrt(x);
    });
    expect(val(tape.gradient(y, x))).toBeCloseTo(0.25, 6);
  });
  it("accepts an output gradient", () => {
    const x = tf.tensor([1, 2]);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => tf.mul(x, 3));
    expect(tape.gradient(y, x, tf.tensor([1, 10]))!.arraySync()).toEqual([3, 30]);
  });
});

describe("stopGradient and non-differentiable ops", () => {
  it("stopGradient blocks the gradient", () => {
    const [d] = tf.gradientsFunction((x) => tf.mul(x, tf.stopGradient(x)))(3);
    expect(val(d!)).toBe(3);
  });
  it("piecewise-constant ops give zero gradients", () => {
    const [d] = tf.gradientsFunction((x) => tf.add(tf.floor(x), tf.round(x)))(2.3);
    expect(val(d!)).toBe(0);
  });
  it("integer paths carry no gradient, and say so", () => {
    expect(() => tf.gradientsFunction((x) => tf.cast(tf.cast(x, "int32"), "float32"))(2.5)).toThrow(/^cast has no gradient/);
  });
});

describe("custom gradients", () => {
  it("replaces the gradient and sees forward values", () => {
    const clipGrad = tf.customGradient((x) => [tf.square(x), (dy) => tf.clipByValue(tf.mul(dy, tf.mul(x, 2)), -1, 1)]);
    expect(val(tf.gradientsFunction(clipGrad)(3)[0]!)).toBe(1);
    expect(val(tf.gradientsFunction(clipGrad)(0.25)[0]!)).toBe(0.5);
  });
  it("handles several inputs", () => {
    const f = tf.customGradient((a, b) => [tf.mul(a, b), (dy) => [tf.mul(dy, 10), tf.mul(dy, 20)]]);
    const [da, db] = tf.gradientsFunction(f)(2, 3);
    expect([val(da!), val(db!)]).toEqual([10, 20]);
  });
  it("rejects a wrong number of gradients", () => {
    const f = tf.customGradient((a, b) => [tf.mul(a, b), (dy) => [dy]]);
    expect(() => tf.gradientsFunction(f)(2, 3)).toThrow(/returned 1 gradients for 2 inputs/);
  });
});

describe("ops without gradients", () => {
  it("a gradient asked through one is a named error naming the op and input", () => {
    const f = (x: tf.Tensor) => tf.cast(tf.greater(x, 0), "float32");
    expect(() => tf.gradientsFunction(f)(1)).toThrow(tf.NonDifferentiableError);
    expect(() => tf.gradientsFunction(f)(1)).toThrow(/^greater has no gradient: input 0 \(float32\[\]\)/);
  });
  it("using one only for control flow or a where condition is fine", () => {
    const relu = (x: tf.Tensor) => tf.where(tf.greater(x, 0), x, 0);
    expect(tf.gradientsFunction(relu)(tf.tensor([-1, 2]))[0]!.arraySync()).toEqual([0, 1]);
  });
  it("stopGradient is not an error", () => {
    expect(tf.gradientsFunction((x) => tf.stopGradient(x))(1)[0]!.item()).toBe(0);
  });
});

describe("second derivatives through masks", () => {
  it("relu'' is zero, not an error", () => {
    const d1 = tf.gradientsFunction((x) => tf.relu(x));
    const d2 = tf.gradientsFunction((x) => d1(x)[0]!);
    expect(d2(tf.tensor([-1, 2]))[0]!.arraySync()).toEqual([0, 0]);
  });
  it("a comparison after stopGradient is not an error", () => {
    const f = (x: tf.Tensor) => tf.cast(tf.greater(tf.stopGradient(x), 0), "float32");
    expect(tf.gradientsFunction(f)(1)[0]!.item()).toBe(0);
  });
});
