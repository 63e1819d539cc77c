/**
 * Errors name the function the user called and the argument they passed; creation functions
 * check sizes before building host arrays; fill takes numbers and booleans only; tile leaks
 * nothing when it fails.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(tf.EagerError);
    return (e as Error).message;
  }
  throw new Error("expected a throw");
}

describe("errors name the called function", () => {
  it("zeros and ones, not fill", () => {
    expect(message(() => tf.zeros([-1]))).toMatch(/^zeros: shape \[-1\]/);
    expect(message(() => tf.ones([2], "half" as tf.DType))).toMatch(/^ones: unknown dtype "half"/);
  });
  it("slice, not stridedSlice", () => {
    const x = tf.tensor([1, 2, 3]);
    x.dispose();
    expect(message(() => tf.slice(x, [0], [1]))).toMatch(/^slice: /);
  });
  it("tile, not reshape or broadcastTo", () => {
    const x = tf.tensor([1, 2, 3]);
    x.dispose();
    expect(message(() => tf.tile(x, [2]))).toMatch(/^tile: /);
  });
  it("eye, not tensor", () => {
    const m = message(() => tf.eye(17000)); // 2.9e8 elements: over the reference device's limit
    expect(m).toMatch(/^eye: /);
    expect(m).toMatch(/289000000 elements/);
  });
  it("composites: softmax, logSumExp, variance, moments, dot and stack name themselves", () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    x.dispose();
    expect(message(() => tf.softmax(x))).toMatch(/^softmax: input 0/);
    expect(message(() => tf.logSoftmax(x))).toMatch(/^logSoftmax: /);
    expect(message(() => tf.logSumExp(x))).toMatch(/^logSumExp: /);
    expect(message(() => tf.variance(x))).toMatch(/^variance: /);
    expect(message(() => tf.moments(x))).toMatch(/^moments: /);
    expect(message(() => tf.dot(x, x))).toMatch(/^dot: /);
    expect(message(() => tf.stack([x, x]))).toMatch(/^stack: /);
  });
  it('sum(x, "0") says the axis "0" is not an integer', () => {
    const x = tf.tensor([1, 2]);
    expect(message(() => tf.sum(x, "0" as unknown as number))).toBe('sum: axis "0" is not an integer');
    expect(message(() => tf.sum(x, "10" as unknown as number))).toBe('sum: axis "10" is not an integer');
    expect(message(() => tf.mean(x, [0.5]))).toBe("mean: axis 0.5 is not an integer");
    expect(message(() => tf.sum(x, 3))).toBe("sum: axis 3 is out of range for a tensor of rank 1");
    x.dispose();
  });
  it("a plain-array input converted for a failing reduction is not leaked", () => {
    const before = tf.memory().numTensors;
    expect(() => tf.sum([1, 2], 5)).toThrow(tf.AxisError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("fill", () => {
  it("rejects values that are not numbers or booleans", () => {
    expect(message(() => tf.fill([2], "x" as unknown as number))).toBe('fill: value must be a number or a boolean, got "x"');
    expect(() => tf.fill([2], {} as unknown as number)).toThrow(tf.InvalidArgumentError);
    expect(() => tf.fill([2], null as unknown as number)).toThrow(tf.InvalidArgumentError);
    const t = tf.fill([2], true);
    expect(Array.from(t.dataSync())).toEqual([1, 1]);
    t.dispose();
  });
});

describe("sizes are checked before host arrays are built", () => {
  it("range, linspace and eye fail fast and clearly", () => {
    const t0 = performance.now();
    expect(message(() => tf.range(0, 2 ** 31 - 1))).toMatch(/^range: a float32 tensor of 2147483647 elements exceeds the limit/);
    expect(message(() => tf.linspace(0, 1, 1e12))).toMatch(/^linspace: shape \[1000000000000\] has 1000000000000 elements/);
    expect(message(() => tf.eye(46000))).toMatch(/^eye: a float32 tensor of 2116000000 elements exceeds the limit/);
    expect(message(() => tf.eye(3, 3, [2 ** 20, 2 ** 20]))).toMatch(/^eye: shape/);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("tile", () => {
  it("an impossible multiple leaks nothing and names tile", () => {
    const x = tf.tensor([1, 2, 3]);
    const z = tf.zeros([1000, 1000]);
    const before = tf.memory().numTensors;
    expect(message(() => tf.tile(x, [2 ** 31]))).toMatch(/^tile: shape \[6442450944\] has 6442450944 elements/);
    // Valid shape, but over the device's element limit: fails inside the composite.
    expect(message(() => tf.tile(z, [300, 1]))).toMatch(/^tile: .*300000000/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    z.dispose();
  });
});
