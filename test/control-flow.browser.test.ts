/** cond, whileLoop and scan compiled in headless Chromium: results, no retrace, gradients, the host-if error's line, and webgpu (no synchronous reads). */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-webgpu";

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

  it("on webgpu (no synchronous reads) compiled cond selects, a bounded whileLoop runs masked steps, multinomial samples on the device", async () => {
    await tf.ready("webgpu");
    const f = (x: tf.Tensor, n: tf.Tensor) => {
      const [, acc] = tf.whileLoop((i) => i.less(n), (i, a) => [i.add(1), a.mul(2)], [tf.scalar(0), tf.scalar(1)], { maxIterations: 8 });
      return tf.cond(x.sum().greater(0), () => x.mul(acc!), () => x.neg());
    };
    const g = tf.compile(f);
    for (const [v, n, want] of [[[1, 2], 3, [8, 16]], [[-1, -2], 2, [1, 2]], [[0.5, 0.5], 20, [128, 128]]] as const) {
      const y = g(tf.tensor(v as unknown as number[]).to("webgpu"), tf.scalar(n).to("webgpu"));
      expect(y.device).toBe("webgpu");
      expect(Array.from(await y.data())).toEqual(want);
    }
    expect(g.traceCount).toBe(1);
    const unbounded = tf.compile((n: tf.Tensor) => tf.whileLoop((i) => i.less(n), (i) => i.add(1), [tf.scalar(0)])[0]!);
    expect(() => unbounded(tf.scalar(3).to("webgpu"))).toThrow(/maxIterations/);
    const ids = tf.multinomial(tf.tensor([[-Infinity, 0, -Infinity], [0, 0, 0]]).to("webgpu"), 100, 5);
    const got = Array.from(await ids.data());
    expect(got.slice(0, 100).every((v) => v === 1)).toBe(true);
    expect(new Set(got.slice(100))).toEqual(new Set([0, 1, 2]));
  });
});
