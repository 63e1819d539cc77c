/**
 * Control flow and sampling on webgpu, a device that cannot read synchronously: compiled cond
 * selects between both branches on the device, compiled whileLoop with maxIterations runs masked
 * steps (without it, a clear error), scan needs no predicate, and multinomial draws on the device.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-webgpu";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "control flow and sampling on webgpu" : `control flow and sampling on webgpu (skipped: ${availability.reason})`;

const read = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

suite(title, () => {
  it("compiled cond runs on webgpu for both outcomes without retracing", async () => {
    const f = (x: tf.Tensor) => tf.cond(x.sum().greater(0), () => x.mul(2), () => x.neg().add(1));
    const g = tf.compile(f);
    for (const v of [[1, 2, 3], [-1, -2, -3]]) {
      const x = tf.tensor(v).to("webgpu");
      const y = g(x);
      expect(y.device).toBe("webgpu");
      const want = v[0]! > 0 ? v.map((e) => 2 * e) : v.map((e) => 1 - e);
      expect(await read(y)).toEqual(want);
    }
    expect(g.traceCount).toBe(1);
    // Same signature: the program's constants are already on webgpu, so nothing new stays alive.
    const x = tf.tensor([4, 5, 6]).to("webgpu");
    const before = tf.memory().numTensors;
    g(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the gradient of a compiled cond on webgpu is the taken branch's", async () => {
    const w = tf.variable(tf.tensor([0.5, -1.5]).to("webgpu"), { name: "condW" });
    const loss = tf.compile((x: tf.Tensor) => tf.cond(x.sum().greater(0), () => x.mul(w).square().sum(), () => x.add(w).sum()));
    for (const [v, want] of [[[1, 2], [1, -12]], [[-1, -2], [1, 1]]] as const) {
      const [[g]] = tf.implicitGradients(() => loss(tf.tensor(v as unknown as number[]).to("webgpu")))();
      // then: d/dw sum((x w)^2) = 2 x^2 w; else: d/dw sum(x + w) = 1.
      expect(await read(g!)).toEqual(want);
    }
  });

  it("eager cond on webgpu selects on the device too", async () => {
    const x = tf.tensor([1, -2]).to("webgpu");
    const y = tf.cond(x.sum().less(0), () => x.abs(), () => x);
    expect(await read(y)).toEqual([1, 2]);
    // The tape records both branches and the select: the gradient is the taken branch's.
    const dx = tf.grad((t: tf.Tensor) => tf.cond(t.sum().less(0), () => t.mul(3).sum(), () => t.square().sum()))(x);
    expect(await read(dx)).toEqual([3, 3]);
  });

  it("compiled whileLoop with maxIterations runs masked steps on webgpu; without it the error names maxIterations", async () => {
    const body = (i: tf.Tensor, acc: tf.Tensor) => [i.add(1), acc.mul(2)];
    const g = tf.compile((n: tf.Tensor) => tf.whileLoop((i) => i.less(n), body, [tf.scalar(0), tf.scalar(1)], { maxIterations: 10 })[1]!);
    for (const [n, want] of [[3, 8], [0, 1], [12, 1024]] as const) {
      const out = g(tf.scalar(n).to("webgpu"));
      expect(out.device).toBe("webgpu");
      expect(await read(out)).toEqual([want]);
    }
    expect(g.traceCount).toBe(1);
    const n = tf.scalar(5).to("webgpu");
    const before = tf.memory().numTensors;
    g(n).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const unbounded = tf.compile((n: tf.Tensor) => tf.whileLoop((i) => i.less(n), body, [tf.scalar(0), tf.scalar(1)])[1]!);
    expect(() => unbounded(tf.scalar(3).to("webgpu"))).toThrow(/maxIterations/);
  });

  it("eager whileLoop with maxIterations on webgpu", async () => {
    const n = tf.scalar(4).to("webgpu");
    const [, acc] = tf.whileLoop((i) => i.less(n), (i, a) => [i.add(1), a.mul(3)], [tf.scalar(0).to("webgpu"), tf.scalar(1).to("webgpu")], { maxIterations: 6 });
    expect(await read(acc!)).toEqual([81]);
  });

  it("compiled scan runs on webgpu", async () => {
    const g = tf.compile((xs: tf.Tensor) => tf.scan((c: tf.Tensor, x: tf.Tensor) => c.add(x), tf.zeros([2]), xs));
    const [total, running] = g(tf.tensor([[1, 2], [3, 4], [5, 6]]).to("webgpu"));
    expect(await read(total)).toEqual([9, 12]);
    expect(await read(running)).toEqual([1, 2, 4, 6, 9, 12]);
  });

  it("multinomial draws on webgpu: shape, frequencies, determinism per seed, rows", async () => {
    const p = [0.1, 0.2, 0.7];
    const s = tf.multinomial(tf.tensor(p.map(Math.log)).to("webgpu"), 4000, 123);
    expect(s.dtype).toBe("int32");
    expect(s.shape).toEqual([4000]);
    expect(s.device).toBe("webgpu");
    const ids = await read(s);
    const c = [0, 0, 0];
    for (const i of ids) c[i]!++;
    p.forEach((pi, i) => expect(Math.abs(c[i]! / 4000 - pi)).toBeLessThan(4 * Math.sqrt((pi * (1 - pi)) / 4000)));
    const logits = tf.tensor([[-Infinity, 0, -Infinity], [5, -Infinity, -Infinity]]).to("webgpu");
    const rows = await read(tf.multinomial(logits, 50, 1));
    expect(rows.slice(0, 50).every((v) => v === 1)).toBe(true);
    expect(rows.slice(50).every((v) => v === 0)).toBe(true);
    const again = tf.multinomial(tf.tensor(p.map(Math.log)).to("webgpu"), 4000, 123);
    expect(await read(again)).toEqual(ids);
  });

  it("multinomial inside a compiled function on webgpu draws new samples per call", async () => {
    const g = tf.compile((logits: tf.Tensor) => tf.multinomial(logits, 64));
    const logits = tf.zeros([2, 5]).to("webgpu");
    const a = await read(g(logits));
    const b = await read(g(logits));
    expect(a.length).toBe(128);
    expect(a.every((v) => v >= 0 && v < 5)).toBe(true);
    expect(b).not.toEqual(a);
    expect(g.traceCount).toBe(1);
  });
});
