/**
 * Donated arguments (`compile(fn, { donate })`, as JAX's donate_argnums): a fused kernel writes
 * its output over a donated tensor it reads for the last time; donated tensors are disposed by
 * the call; values always equal eager; nothing is donated while a tape records.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

const storageOf = (t: tf.Tensor): unknown => (t as unknown as { _storage: unknown })._storage;
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("compile: donated arguments", () => {
  const a = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tf.tensor([0.5, -1, 2, 0.25, 3, -2], [2, 3]);
  const mulAdd = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.add(tf.mul(x, y), z);

  it("a*b+c with c donated writes the result into c's buffer and disposes c", () => {
    const g = tf.compile(mulAdd, { donate: [2] });
    const c = tf.tensor([10, 20, 30, 40, 50, 60], [2, 3]);
    const want = values(mulAdd(a, b, c));
    const before = storageOf(c);
    const y = g(a, b, c);
    expect(values(y)).toEqual(want);
    expect(storageOf(y)).toBe(before);
    expect(c.isDisposed).toBe(true);
    expect(() => c.dataSync()).toThrow(/disposed/);
    y.dispose();
  });

  it("a single elementwise op over a donated tensor writes in place too (acc = acc + x)", () => {
    const g = tf.compile((acc: tf.Tensor, x: tf.Tensor) => tf.add(acc, x), { donate: [0] });
    let acc = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    for (let i = 0; i < 3; i++) {
      const before = storageOf(acc);
      acc = g(acc, a);
      expect(storageOf(acc)).toBe(before);
    }
    expect(values(acc)).toEqual([4, 8, 12, 16, 20, 24]);
    // Without donation the same function allocates its output.
    const plain = tf.compile((acc: tf.Tensor, x: tf.Tensor) => tf.add(acc, x));
    const y = plain(acc, a);
    expect(storageOf(y)).not.toBe(storageOf(acc));
    tf.dispose([acc, y]);
  });

  it("an accumulator updated in place over several calls keeps eager's values, and memory does not grow", () => {
    const g = tf.compile(mulAdd, { donate: [2] });
    let acc = tf.zeros([2, 3]);
    let eager = tf.zeros([2, 3]);
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) {
      acc = g(a, b, acc);
      const next = tf.tidy(() => mulAdd(a, b, eager));
      eager.dispose();
      eager = next;
      expect(values(acc)).toEqual(values(eager));
    }
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([acc, eager]);
  });

  it("a donated tensor that something else still holds is not overwritten (the call still disposes it)", () => {
    const g = tf.compile(mulAdd, { donate: [2] });
    const c = tf.tensor([1, 1, 1, 1, 1, 1], [2, 3]);
    const alias = tf.reshape(c, [6]); // shares c's buffer
    const y = g(a, b, c);
    expect(values(y)).toEqual(values(mulAdd(a, b, alias.reshape([2, 3]))));
    expect(values(alias)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(c.isDisposed).toBe(true);
    tf.dispose([alias, y]);
  });

  it("refuses a variable, a tensor passed twice, and positions that are not integers", () => {
    const v = tf.variable(tf.zeros([2, 3]));
    const g = tf.compile(mulAdd, { donate: [2] });
    expect(() => g(a, b, v)).toThrow(/donated argument 2 must be a tensor \(a variable is updated with assign/);
    const c = tf.ones([2, 3]);
    expect(() => g(c, b, c)).toThrow(/also passed as another argument/);
    expect(c.isDisposed).toBe(false);
    expect(() => tf.compile(mulAdd, { donate: [1.5] })).toThrow(/argument positions/);
    tf.dispose([v, c]);
  });

  it("donates nothing while a tape records: the gradient through the call is eager's", () => {
    const g = tf.compile(mulAdd, { donate: [2] });
    const c = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const { grads } = tf.valueAndGrads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(g(x, b, z), z)))([a, c]);
    expect(c.isDisposed).toBe(false);
    // d/dx sum((x*b + z) * z) = b * z; d/dz = x*b + 2z
    expect(values(grads[0]!)).toEqual(values(tf.mul(b, c)));
    expect(values(grads[1]!)).toEqual(values(tf.add(tf.mul(a, b), tf.mul(c, 2))));
    tf.dispose([c, ...grads]);
  });
});
