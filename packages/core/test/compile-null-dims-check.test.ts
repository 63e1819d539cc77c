/**
 * A `null` dimension used in a way two sizes cannot reveal (a clamp, a branch on the size, a
 * bucket): each new size is checked by a trace at that size, and a size that differs gets its
 * own program, so every call returns what the eager function returns.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { MAX_CHECKED_SIZES } from "../src/compile/compile.js";

const one = { inputSignature: [{ shape: [null] }] };

/** Call `g` and `f` (eager) at each size on range(0, n) and expect the same values. */
function agree(g: (x: tf.Tensor) => tf.Tensor, f: (x: tf.Tensor) => tf.Tensor, sizes: readonly number[]): void {
  for (const n of sizes) {
    const x = tf.range(0, n);
    const [got, want] = [g(x), f(x)];
    expect(got.shape, `size ${n}`).toEqual(want.shape);
    expect(got.arraySync(), `size ${n}`).toEqual(want.arraySync());
    tf.dispose([x, got, want]);
  }
}

describe("compile checks each new size of a null dimension", () => {
  it("a clamp (Math.min(n, 64)) that both traced sizes saw as 64 is traced again below 64", () => {
    const f = (x: tf.Tensor) => tf.slice(x, [0], [Math.min(x.shape[0]!, 64)]).mul(2);
    const g = tf.compile(f, one);
    agree(g, f, [128, 10, 200, 10, 33, 128]);
    // 128 traced (and probed); 10 and 33 differ: traced each; 200 checked and served by the first program.
    expect([g.traceCount, g.probeCount, g.checkCount]).toEqual([3, 1, 3]);
  });

  it("a clamp that looks linear at both traced sizes (Math.min(n, 20000)) is traced again past it", () => {
    const f = (x: tf.Tensor) => tf.mul(tf.sum(x), Math.min(x.shape[0]!, 20000));
    const g = tf.compile(f, one);
    agree(g, f, [128, 300, 25000]);
    expect([g.traceCount, g.checkCount]).toEqual([2, 2]); // 300: the line holds; 25000: it does not
  });

  it("a branch on the size that both traced sizes took alike (n > 100)", () => {
    const f = (x: tf.Tensor) => (x.shape[0]! > 100 ? tf.mul(x, 2) : tf.add(x, 1));
    const g = tf.compile(f, one);
    agree(g, f, [128, 10, 101, 100, 7]);
    expect([g.traceCount, g.checkCount]).toEqual([4, 4]); // 10, 100 and 7 differ from the first trace: each gets its own
  });

  it("parity (n % 2) and a bucket (Math.floor(n / 20000)) give the eager values", () => {
    const parity = (x: tf.Tensor) => (x.shape[0]! % 2 === 0 ? tf.mul(x, 2) : tf.neg(x));
    const gp = tf.compile(parity, one);
    agree(gp, parity, [128, 7, 10, 9, 128]);
    expect(gp.traceCount).toBe(4); // the probe already sees that the trace depends on the size
    const bucket = (x: tf.Tensor) => tf.add(tf.sum(x), Math.floor(x.shape[0]! / 20000));
    const gb = tf.compile(bucket, one);
    agree(gb, bucket, [128, 64, 20001]);
    expect([gb.traceCount, gb.checkCount]).toEqual([2, 2]);
  });

  it("a clamp through a reshape, with a captured constant, on a [null, 4] batch", () => {
    const w = tf.tensor([1, 2, 3, 4]);
    const f = (x: tf.Tensor) => {
      const n = Math.min(x.shape[0]!, 16);
      return tf.mul(tf.slice(x, [0, 0], [n, 4]), w).reshape([n * 2, 2]).sum(1);
    };
    const g = tf.compile(f, { inputSignature: [{ shape: [null, 4] }] });
    for (const n of [40, 5, 17, 5]) {
      const x = tf.range(0, n * 4).reshape([n, 4]);
      expect(g(x).arraySync()).toEqual(f(x).arraySync());
    }
    expect([g.traceCount, g.checkCount]).toEqual([2, 2]);
  });

  it("sizes 1 and 0 after a first trace at 8 are checked like any other", () => {
    const f = (x: tf.Tensor) => tf.div(tf.reshape(x, [x.shape[0]!, 2, 2]).sum([1, 2]), Math.max(x.shape[0]!, 1));
    const g = tf.compile(f, { inputSignature: [{ shape: [null, 4] }] });
    for (const n of [8, 1, 0, 3]) {
      const x = tf.range(0, n * 4).reshape([n, 4]);
      expect(g(x).arraySync(), `size ${n}`).toEqual(f(x).arraySync());
    }
    // 1 and 3 follow the line through 8 and 8 + 9973; 0 does not (Math.max(0, 1) is 1): its own trace.
    expect([g.traceCount, g.checkCount]).toEqual([2, 3]);
  });

  it("the retrace warning past maxTraces names the size and why", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = (x: tf.Tensor) => tf.slice(x, [0], [Math.min(x.shape[0]!, 64)]);
    const g = tf.compile(f, { ...one, maxTraces: 1, name: "clamped" });
    agree(g, f, [128, 10]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/compile\(clamped\): traced 2 times.*depends on the size of argument 0's dimension 0 in a way that is not linear: its trace at 10 differs from the first trace \(at 128\)/);
    warn.mockRestore();
  });

  it("a check is made once per size, not per call, and holds no tensor when the first program serves", () => {
    const g = tf.compile((x: tf.Tensor) => tf.mul(x, 3), one);
    agree(g, (x) => tf.mul(x, 3), [8]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++)
      for (const n of [5, 9, 5]) {
        const x = tf.range(0, n);
        tf.dispose([x, g(x)]);
      }
    expect(tf.memory().numTensors).toBe(before);
    expect([g.traceCount, g.probeCount, g.checkCount]).toEqual([1, 1, 2]);
    g.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it("null dimensions of different sizes: a trace that names neither size is checked per pair of sizes", () => {
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.add(tf.slice(x, [0], [Math.min(x.shape[0]!, 4)]).sum(), tf.slice(y, [0], [Math.min(y.shape[0]!, 6)]).sum());
    const g = tf.compile(f, { inputSignature: [{ shape: [null] }, { shape: [null] }] });
    for (const [n, m] of [[9, 12], [20, 30], [3, 30], [9, 12]] as const) {
      const [x, y] = [tf.range(0, n), tf.range(0, m)];
      expect(g(x, y).item(), `${n}, ${m}`).toBe(f(x, y).item());
    }
    expect([g.traceCount, g.checkCount]).toEqual([2, 2]); // [20, 30] served by the first; [3, 30] traced
  });

  it("a trace shared across one size serves null dimensions of different sizes only through their own trace", () => {
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.add(tf.slice(x, [0], [Math.min(x.shape[0]!, 6)]).sum(), y.sum());
    const g = tf.compile(f, { inputSignature: [{ shape: [null] }, { shape: [null] }] });
    for (const [n, m] of [[8, 8], [5, 7], [9, 9], [5, 7]] as const) {
      const [x, y] = [tf.range(0, n), tf.range(0, m)];
      expect(g(x, y).item(), `${n}, ${m}`).toBe(f(x, y).item());
    }
    // [5, 7]: no one size to rebuild the trace for, so no check: its own trace; [9, 9]: checked and shared.
    expect([g.traceCount, g.probeCount, g.checkCount]).toEqual([2, 1, 1]);
  });

  it("the check runs no host effect and takes no random stream", () => {
    let effects = 0;
    const f = (x: tf.Tensor) => {
      tf.hostEffect(() => effects++);
      return tf.add(tf.slice(x, [0], [Math.min(x.shape[0]!, 64)]), tf.randomUniform([1]));
    };
    const g = tf.compile(f, one);
    tf.setRandomSeed(11);
    const eager = [128, 200, 10].map((n) => f(tf.zeros([n])).arraySync());
    tf.setRandomSeed(11);
    const compiled = [128, 200, 10].map((n) => g(tf.zeros([n])).arraySync());
    expect(compiled).toEqual(eager);
    expect(effects).toBe(6); // three eager calls, three compiled ones
    expect([g.traceCount, g.checkCount]).toEqual([2, 2]);
  });

  it("a size forgotten past MAX_CHECKED_SIZES is checked again when it comes back", () => {
    const g = tf.compile((x: tf.Tensor) => tf.add(x, 1), one);
    const sizes = Array.from({ length: MAX_CHECKED_SIZES + 1 }, (_, i) => i + 2);
    for (const n of sizes) {
      const x = tf.zeros([n]);
      tf.dispose([x, g(x)]);
    }
    expect(g.checkCount).toBe(MAX_CHECKED_SIZES);
    expect(g(tf.zeros([3])).arraySync()).toEqual([1, 1, 1]); // 3 was the oldest checked size: forgotten
    expect(g(tf.zeros([2])).arraySync()).toEqual([1, 1]); // the traced size is never forgotten
    expect([g.traceCount, g.checkCount]).toEqual([1, MAX_CHECKED_SIZES + 1]);
  });
});
