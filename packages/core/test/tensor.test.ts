/** Tensors: creation, dtypes, readback, printing, variables, memory and errors. */
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import * as tf from "@eager/core";

describe("creation", () => {
  it("infers shape and dtype from nested arrays", () => {
    const t = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(tf.tensor([true, false]).dtype).toBe("bool");
    expect(tf.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tf.tensor([1, 2, 3, 4], [2, 2], "int32").arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(tf.tensor([1.5], undefined, "float64").dtype).toBe("float64");
  });
  it("rejects ragged arrays, wrong sizes and bad values clearly", () => {
    expect(() => tf.tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tf.tensor([1, 2, 3], [2, 2])).toThrow(/needs 4 values but 3/);
    expect(() => tf.tensor([1, "a" as unknown as number])).toThrow(tf.InvalidArgumentError);
    expect(() => tf.zeros([-1])).toThrow(/invalid dimension -1/);
    expect(() => tf.zeros([NaN])).toThrow(/invalid dimension NaN/);
    expect(() => tf.zeros([1e6, 1e6])).toThrow(/more than the limit/);
    expect(() => tf.tensor([1], undefined, "complex64" as tf.DType)).toThrow(tf.DTypeError);
  });
  it("makes filled, ranged and identity tensors", () => {
    expect(tf.zeros([2]).arraySync()).toEqual([0, 0]);
    expect(tf.ones([2], "int32").arraySync()).toEqual([1, 1]);
    expect(tf.fill([2], 7).arraySync()).toEqual([7, 7]);
    expect(tf.fill([1], true).dtype).toBe("bool");
    expect(tf.range(0, 5).arraySync()).toEqual([0, 1, 2, 3, 4]);
    expect(tf.range(5, 0, -2, "int32").arraySync()).toEqual([5, 3, 1]);
    expect(tf.linspace(0, 1, 5).arraySync()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(tf.eye(2, 3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(tf.zerosLike(tf.tensor([1, 2], undefined, "int32")).dtype).toBe("int32");
    expect(tf.onesLike([[1, 2]]).arraySync()).toEqual([[1, 1]]);
  });
  it("random tensors are reproducible by seed and in range", () => {
    const a = tf.randomUniform([1000], -1, 1, "float32", 42).dataSync();
    const b = tf.randomUniform([1000], -1, 1, "float32", 42).dataSync();
    expect(a).toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    const n = Array.from(tf.randomNormal([20000], 2, 3, "float32", 7).dataSync() as Float32Array);
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(3, 1);
    const t = tf.truncatedNormal([5000], 0, 1, "float32", 3).dataSync();
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(2);
    expect(tf.randomNormal([3], 0, 1, "float32", 1).dataSync()).not.toEqual(tf.randomNormal([3], 0, 1, "float32", 2).dataSync());
  });
});

describe("readback and printing", () => {
  it("reads values sync and async", async () => {
    const t = tf.tensor([[1, 2], [3, 4]]);
    expect(await t.data()).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(await t.array()).toEqual([[1, 2], [3, 4]]);
    expect(tf.scalar(5).item()).toBe(5);
    expect(tf.scalar(true).item()).toBe(true);
    expect(() => t.item()).toThrow(/exactly one/);
  });
  it("prints values, shape and dtype", () => {
    expect(String(tf.tensor([[4]]))).toBe("Tensor([[4]], shape=[1,1], dtype=float32)");
    expect(inspect(tf.tensor([1, 2], undefined, "int32"))).toBe("Tensor([1, 2], shape=[2], dtype=int32)");
    expect(String(tf.tensor([true, false]))).toBe("Tensor([true, false], shape=[2], dtype=bool)");
    expect(String(tf.tensor([0.1]))).toBe("Tensor([0.1], shape=[1], dtype=float32)");
    expect(String(tf.zeros([2000]))).toMatch(/^Tensor\(\[0, 0, 0, \.\.\., 0, 0, 0\], shape=\[2000\]/);
  });
  it("methods chain", () => {
    expect(tf.tensor([-1, 2]).add(1).relu().mul(2).arraySync()).toEqual([0, 6]);
  });
});

describe("dtype promotion", () => {
  it("promotes like NumPy: bool < int32 < float32 < float64", () => {
    const i = tf.tensor([1, 2], undefined, "int32");
    expect(tf.add(i, i).dtype).toBe("int32");
    expect(tf.add(i, tf.tensor([0.5, 0.5])).dtype).toBe("float32");
    expect(tf.add(i, 1).dtype).toBe("int32");
    expect(tf.add(i, 1.5).dtype).toBe("float32");
    expect(tf.div(i, 2).arraySync()).toEqual([0.5, 1]);
    expect(tf.add(tf.tensor([true]), tf.tensor([true])).arraySync()).toEqual([2]);
    expect(tf.exp(i).dtype).toBe("float32");
    expect(tf.add(tf.tensor([1], undefined, "float64"), tf.tensor([1])).dtype).toBe("float64");
  });
  it("refuses bool where it makes no sense", () => {
    expect(() => tf.logicalAnd(tf.tensor([1]), tf.tensor([true]))).toThrow(tf.DTypeError);
  });
});

describe("variables", () => {
  it("assign, assignAdd, assignSub", () => {
    const v = tf.variable(tf.tensor([1, 2]), { name: "v" });
    expect(v.name).toBe("v");
    expect(v.trainable).toBe(true);
    v.assign([5, 6]);
    expect(v.arraySync()).toEqual([5, 6]);
    v.assignAdd([1, 1]).assignSub([0, 2]);
    expect(v.arraySync()).toEqual([6, 5]);
    expect(() => v.assign([1, 2, 3])).toThrow(/shape \[2\] but the value has shape \[3\]/);
    expect(() => v.assign(tf.tensor([1, 2], undefined, "int32"))).toThrow(tf.DTypeError);
  });
  it("are not disposed by tidy", () => {
    const v = tf.tidy(() => tf.variable(tf.zeros([2])));
    const w = tf.tidy(() => {
      tf.variable(tf.ones([1]), { name: "inner" });
      return 1;
    });
    expect(v.isDisposed).toBe(false);
    expect(w).toBe(1);
  });
});

describe("memory", () => {
  it("tidy disposes intermediates and keeps results", () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.tensor([1, 2]).square().add(1));
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.arraySync()).toEqual([2, 5]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("tidy keeps tensors in returned arrays and objects, and keep()", () => {
    const before = tf.memory().numTensors;
    let kept: tf.Tensor | undefined;
    const r = tf.tidy(() => {
      kept = tf.keep(tf.scalar(1));
      tf.scalar(2);
      return { a: tf.scalar(3), list: [tf.scalar(4)] };
    });
    expect(tf.memory().numTensors).toBe(before + 3);
    r.a.dispose();
    r.list[0]!.dispose();
    kept!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("async tidy lasts across await", async () => {
    const before = tf.memory().numTensors;
    const y = await tf.tidy(async () => {
      const a = tf.scalar(2);
      await new Promise((r) => setTimeout(r, 1));
      return a.mul(3);
    });
    expect(y.item()).toBe(6);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("never consumes an op's inputs and reports bytes per device", () => {
    const a = tf.tensor([1, 2, 3]);
    const m0 = tf.memory();
    const b = tf.add(a, a);
    expect(a.isDisposed).toBe(false);
    expect(tf.memory().numBytes - m0.numBytes).toBe(12);
    expect(tf.memory().devices[a.device]!.numTensors).toBeGreaterThan(0);
    b.dispose();
  });
  it("using disposes at block end", () => {
    const before = tf.memory().numTensors;
    {
      using t = tf.scalar(1);
      expect(t.item()).toBe(1);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
  it("a disposed tensor throws a named error", () => {
    const t = tf.scalar(1);
    t.dispose();
    expect(() => t.add(1)).toThrow(tf.DisposedTensorError);
    expect(() => t.dataSync()).toThrow(/was disposed/);
    expect(String(t)).toMatch(/disposed/);
  });
});

describe("errors name the op, the shapes and the caller's line", () => {
  it("shape errors", () => {
    let err: Error | undefined;
    try {
      tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]));
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(tf.ShapeError);
    expect(err!.message).toMatch(/^matmul: inner dimensions differ: a is \[2,3\], b is \[4,5\]/);
    expect(err!.stack).toContain("tensor.test.ts");
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/add: shapes \[2,3\] and \[4\] cannot be broadcast/);
    expect(() => tf.sum(tf.zeros([2]), 3)).toThrow(tf.AxisError);
    expect(() => tf.reshape(tf.zeros([6]), [4, -1])).toThrow(/cannot infer -1/);
  });
  it("bad arguments", () => {
    expect(() => tf.add(tf.zeros([1]), "x" as unknown as number)).toThrow(/add \(argument 1\): expected a tensor or values, got string/);
    expect(() => tf.add(tf.zeros([1]), undefined as unknown as number)).toThrow(tf.InvalidArgumentError);
  });
});

describe("huge allocations", () => {
  it("fail with a clear error, not a crash", () => {
    expect(() => tf.withDevice("reference", () => tf.zeros([2 ** 31 - 1]))).toThrow(
      /^fill: a float32 tensor of 2147483647 elements exceeds the limit of device "reference" \(268435456 elements\)/,
    );
    expect(() => tf.withDevice("reference", () => tf.tensor(new Float32Array(1)).reshape([1]).broadcastTo([2 ** 29]))).toThrow(/broadcastTo: a float32 tensor/);
  });
});
