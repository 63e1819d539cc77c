/** multinomial: shapes, determinism per seed, frequencies with a fixed seed, normalized input, errors; under compile (the device sampler). */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

function counts(ids: ArrayLike<number>, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < ids.length; i++) c[ids[i]!]!++;
  return c;
}

describe("multinomial", () => {
  it("draws with softmax(logits) frequencies (fixed seed, 20000 draws, within 4 standard errors)", () => {
    const p = [0.1, 0.2, 0.7];
    const s = tf.multinomial(p.map(Math.log), 20000, 123);
    expect(s.dtype).toBe("int32");
    expect(s.shape).toEqual([20000]);
    const c = counts(s.dataSync() as Int32Array, 3);
    p.forEach((pi, i) => expect(Math.abs(c[i]! / 20000 - pi)).toBeLessThan(4 * Math.sqrt((pi * (1 - pi)) / 20000)));
  });
  it("is deterministic per seed and differs between seeds", () => {
    const logits = tf.tensor([[0, 1, 2, 3], [3, 2, 1, 0]]);
    const a = tf.multinomial(logits, 50, 7).arraySync();
    expect(tf.multinomial(logits, 50, 7).arraySync()).toEqual(a);
    expect(tf.multinomial(logits, 50, 8).arraySync()).not.toEqual(a);
    expect(tf.multinomial(logits, 50, 7).shape).toEqual([2, 50]);
  });
  it("follows the global seed when none is given", () => {
    tf.setRandomSeed(5);
    const a = tf.multinomial([0, 0, 0], 30).arraySync();
    tf.setRandomSeed(5);
    expect(tf.multinomial([0, 0, 0], 30).arraySync()).toEqual(a);
  });
  it("rows are independent distributions; -Infinity logits and zero probabilities are never drawn", () => {
    const s = tf.multinomial(tf.tensor([[-Infinity, 0, -Infinity], [5, -Infinity, -Infinity]]), 200, 1).arraySync() as number[][];
    expect(s[0]!.every((v) => v === 1)).toBe(true);
    expect(s[1]!.every((v) => v === 0)).toBe(true);
    const n = tf.multinomial([0.5, 0, 0.5], 4000, 2, true).dataSync() as Int32Array;
    const c = counts(n, 3);
    expect(c[1]).toBe(0);
    expect(Math.abs(c[0]! / 4000 - 0.5)).toBeLessThan(0.04);
  });
  it("inside compile draws new samples at every call, the eager sequence for the same seed", () => {
    const logits = tf.tensor([[0, 1, 2, 3], [3, 2, 1, 0.5]]);
    const f = (l: tf.Tensor) => tf.multinomial(l, 40);
    tf.setRandomSeed(13);
    const eager = [f(logits).arraySync(), f(logits).arraySync(), f(logits).arraySync()];
    const g = tf.compile(f);
    tf.setRandomSeed(13);
    const compiled = [g(logits).arraySync(), g(logits).arraySync(), g(logits).arraySync()];
    expect(compiled).toEqual(eager);
    expect(compiled[1]).not.toEqual(compiled[0]);
    expect(g.traceCount).toBe(1);
    // A fixed seed gives the same samples at every call.
    const h = tf.compile((l: tf.Tensor) => tf.multinomial(l, 40, 99));
    expect(h(logits).arraySync()).toEqual(h(logits).arraySync());
    expect(h(logits).arraySync()).toEqual(tf.multinomial(logits, 40, 99).arraySync());
  });
  it("the device sampler draws with softmax(logits) frequencies and never draws a zero probability", () => {
    const p = [0.1, 0.2, 0.7];
    const g = tf.compile((l: tf.Tensor) => tf.multinomial(l, 20000, 123));
    const c = counts(g(tf.tensor(p.map(Math.log))).dataSync() as Int32Array, 3);
    p.forEach((pi, i) => expect(Math.abs(c[i]! / 20000 - pi)).toBeLessThan(4 * Math.sqrt((pi * (1 - pi)) / 20000)));
    const rows = tf.compile((l: tf.Tensor) => tf.multinomial(l, 200, 1))(tf.tensor([[-Infinity, 0, -Infinity], [5, -Infinity, -Infinity]])).arraySync() as number[][];
    expect(rows[0]!.every((v) => v === 1)).toBe(true);
    expect(rows[1]!.every((v) => v === 0)).toBe(true);
    const n = tf.compile((l: tf.Tensor) => tf.multinomial(l, 4000, 2, true))(tf.tensor([0.5, 0, 0.5])).dataSync() as Int32Array;
    expect(counts(n, 3)[1]).toBe(0);
  });
  it("rejects bad arguments", () => {
    expect(() => tf.multinomial([0, 1], 0)).toThrow(/numSamples/);
    expect(() => tf.multinomial(tf.zeros([1, 2, 3]), 1)).toThrow(/\[categories\] or \[batch, categories\]/);
    expect(() => tf.multinomial(tf.tensor([1, 2], [2], "int32"), 1)).toThrow(/float/);
    expect(() => tf.multinomial([-1, 2], 1, 0, true)).toThrow(/negative/);
  });
});
