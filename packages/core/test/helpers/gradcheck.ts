/**
 * Finite-difference gradient checks for layers in float64: compares tape gradients of
 * sum(layer(x) * r) with central differences, for the input and every trainable weight.
 */
import { expect } from "vitest";
import * as tf from "@eager/core";

/** Central-difference gradient of f at the values of `v` (a variable). */
function numeric(f: () => number, v: tf.Variable, eps: number): Float64Array {
  const base = Float64Array.from(v.dataSync());
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const p = base.slice();
    p[i] = base[i]! + eps;
    v.assign(tf.tensor(p, v.shape, "float64"));
    const fp = f();
    p[i] = base[i]! - eps;
    v.assign(tf.tensor(p, v.shape, "float64"));
    const fm = f();
    out[i] = (fp - fm) / (2 * eps);
  }
  v.assign(tf.tensor(base, v.shape, "float64"));
  return out;
}

/**
 * Check d/dx and d/dw of sum(apply(x) * r) against finite differences. `apply` must use the
 * variable `x` as its input (so it can be perturbed).
 */
export function checkLayerGradients(apply: (x: tf.Tensor) => tf.Tensor, x0: tf.Tensor, weights: () => tf.Variable[], options: { eps?: number; tol?: number; checkInput?: boolean } = {}): void {
  const eps = options.eps ?? 1e-6;
  const tol = options.tol ?? 1e-6;
  const x = tf.variable(x0, { name: "x" });
  const probe = apply(x);
  const r = tf.randomNormal(probe.shape, 0, 1, "float64", 7);
  probe.dispose();
  const f = () => tf.tidy(() => tf.sum(tf.mul(apply(x), r)).item() as number);
  const sources = [...(options.checkInput === false ? [] : [x]), ...weights()];
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.sum(tf.mul(apply(x), r)));
  const grads = tape.gradient(y, sources);
  sources.forEach((s, k) => {
    const g = grads[k];
    expect(g, `gradient for ${(s as tf.Variable).name}`).not.toBeNull();
    const analytic = g!.dataSync();
    const num = numeric(f, s as tf.Variable, eps);
    for (let i = 0; i < num.length; i++) expect(Math.abs(analytic[i]! - num[i]!), `${(s as tf.Variable).name}[${i}]: ${analytic[i]} vs ${num[i]}`).toBeLessThan(tol * Math.max(1, Math.abs(num[i]!)));
  });
}

/** Values of a tensor as a plain array (for toBeCloseTo loops). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>);
}

/** Expect two number lists to agree within `tol`. */
export function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
}
