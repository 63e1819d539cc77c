/** cond, whileLoop and scan compiled in headless Chromium: results, no retrace, gradients, and the host-if error's line. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("control flow under compile in the browser", () => {
  it("cond, whileLoop and scan give the eager results without retracing", () => {
    const f = (x: tf.Tensor, n: tf.Tensor) => {
      const [, acc] = tf.whileLoop((i) => i.less(n), (i, a) => [i.add(1), a.mul(2)], [tf.scalar(0), tf.scalar(1)]);
      const [h] = tf.scan((c: tf.Tensor, r: tf.Tensor) => tf.tanh(c.mul(0.5).add(r)), tf.zeros([2]), x);
      return tf.cond(h.sum().greater(0), () => h.mul(acc!), () => h.neg());
    };
    const g = tf.compile(f);
    for (const [v, n] of [[[1, 2, 3, 4], 3], [[-1, -2, 0.5, -4], 0], [[0.1, 0.2, 0.3, -0.9], 5]] as const) {
      const x = tf.tensor(v as unknown as number[], [2, 2]);
      const got = g(x, tf.scalar(n)).dataSync();
      const want = f(x, tf.scalar(n)).dataSync();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-6);
    }
    expect(g.traceCount).toBe(1);
  });

  it("the gradient of a compiled scan matches the eager one", () => {
    const w = tf.variable(tf.tensor([0.7, -0.3]), { name: "w" });
    const loss = (xs: tf.Tensor) => tf.scan((h: tf.Tensor, x: tf.Tensor) => tf.tanh(h.mul(w).add(x)), tf.zeros([2]), xs)[0].sum();
    const xs = tf.tensor([[1, 2], [0.5, -1], [-2, 0.25]]);
    const g = tf.compile(loss);
    const [[gc]] = tf.implicitGradients(() => g(xs))();
    const [[ge]] = tf.implicitGradients(() => loss(xs))();
    const a = gc!.dataSync();
    const b = ge!.dataSync();
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6);
  });

  it("a host if on a symbolic tensor names this file's line", () => {
    const g = tf.compile((x: tf.Tensor) => ((x.sum().item() as number) > 0 ? x : x.neg()));
    expect(() => g(tf.ones([2]))).toThrow(/tf\.cond.*\(at .*control-flow\.browser\.test\.ts.*:\d+:\d+\)/);
  });
});
