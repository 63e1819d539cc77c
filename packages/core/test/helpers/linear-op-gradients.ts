/**
 * Gradient checks for linear primitives (movement and index ops), over every op-table test
 * case: first order by central differences, second order by the adjoint identity.
 */
import { expect } from "vitest";
import * as tf from "@eager/core";
import { opTable, type OpName } from "../../src/ops/table.js";
import { runOp } from "../../src/engine/dispatch.js";

/** A deterministic sequence in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Check an op's gradients on every test case: first order by differences, second by adjointness. */
export function checkOpGradients(name: OpName): void {
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
