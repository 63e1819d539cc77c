/** Tracing: the same ops on symbolic tensors record a graph that runs again and survives JSON. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("trace", () => {
  it("records op-table nodes and runs them", () => {
    const w = tf.tensor([[1, 2], [3, 4]]);
    const g = tf.trace((x) => tf.relu(tf.matmul(x, w)).sum(), { shape: [1, 2] });
    expect(g.ops).toEqual(["matmul", "relu", "sum"]);
    const [y] = g.run(tf.tensor([[1, -1]]));
    expect(y!.item()).toBe(0);
    const [y2] = g.run(tf.tensor([[1, 1]]));
    expect(y2!.item()).toBe(4 + 6);
  });
  it("round-trips through JSON with its constants", () => {
    const w = tf.tensor([0.5, NaN, -Infinity], undefined, "float32");
    const g = tf.trace((x) => [tf.mul(x, w), tf.add(x, 1)], { shape: [3] });
    const json = JSON.parse(JSON.stringify(g));
    const g2 = tf.Graph.fromJSON(json);
    const [a, b] = g2.run(tf.tensor([2, 2, 2]));
    expect(Array.from(a!.dataSync())).toEqual([1, NaN, -Infinity]);
    expect(b!.arraySync()).toEqual([3, 3, 3]);
  });
  it("symbolic tensors have shapes but no values", () => {
    tf.trace((x) => {
      expect(x.shape).toEqual([2, 3]);
      expect(x.isSymbolic).toBe(true);
      expect(() => x.dataSync()).toThrow(tf.SymbolicTensorError);
      expect(() => x.item()).toThrow(/symbolic/);
      expect(String(x)).toBe("Tensor(<symbolic>, shape=[2,3], dtype=float32)");
      const y = x.sum(1);
      expect(y.shape).toEqual([2]);
      return y;
    }, tf.zeros([2, 3]));
  });
  it("shape errors happen at trace time", () => {
    expect(() => tf.trace((x) => tf.matmul(x, tf.zeros([5, 5])), { shape: [2, 3] })).toThrow(tf.ShapeError);
  });
  it("checks inputs when run", () => {
    const g = tf.trace((x) => x.square(), { shape: [2] });
    expect(() => g.run(tf.zeros([3]))).toThrow(/input 0 must be float32\[2\]/);
    expect(() => tf.Graph.fromJSON({ format: "other" } as never)).toThrow(/not an eager graph/);
  });
  it("leaves no live tensors behind after running", () => {
    const g = tf.trace((x) => x.exp().add(1).log(), { shape: [4] });
    const x = tf.zeros([4]);
    const before = tf.memory().numTensors;
    const [y] = g.run(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y!.dataSync()).toEqual(new Float32Array(4).fill(Math.fround(Math.log(2))));
  });
});
