/** Losses: values, numerical stability, reductions and gradients. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { losses, nn } from "@eager/core";
import { expectClose, values } from "./helpers/gradcheck.js";

const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));

describe("softmax cross-entropy", () => {
  it("matches logSumExp(z) - sum(y z) by hand, per example and reduced", () => {
    const logits = tf.tensor([[1, 2, 3], [0, 0, 0]]);
    const labels = tf.tensor([[0, 0, 1], [0.5, 0.5, 0]]);
    const per = [lse([1, 2, 3]) - 3, lse([0, 0, 0])];
    expectClose(losses.softmaxCrossEntropyWithLogits({ labels, logits, reduction: "none" }).dataSync(), per);
    expectClose(losses.softmaxCrossEntropyWithLogits({ labels, logits }).dataSync(), [(per[0]! + per[1]!) / 2]);
    expectClose(losses.softmaxCrossEntropyWithLogits({ labels, logits, reduction: "sum" }).dataSync(), [per[0]! + per[1]!]);
    const n = nn.softmaxCrossEntropyWithLogits({ labels, logits });
    expect(n.shape).toEqual([2]);
    expectClose(n.dataSync(), per);
  });
  it("is stable for huge logits", () => {
    const l = losses.softmaxCrossEntropyWithLogits({ labels: [[1, 0], [1, 0]], logits: [[1000, 0], [0, 1000]], reduction: "none" });
    expectClose(l.dataSync(), [0, 1000], 1e-3);
  });
  it("has gradient softmax(logits) - labels", () => {
    const labels = tf.tensor([[0, 1, 0]], undefined, "float64");
    const [g] = tf.gradientsFunction((z) => losses.softmaxCrossEntropyWithLogits({ labels, logits: z, reduction: "sum" }))(tf.tensor([[1, 2, 3]], undefined, "float64"));
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expectClose(g!.dataSync(), [e[0]! / s, e[1]! / s - 1, e[2]! / s], 1e-12);
  });
  it("checks shapes and options", () => {
    expect(() => losses.softmaxCrossEntropyWithLogits({ labels: [[1, 0]], logits: [[1, 0, 0]] })).toThrow(tf.ShapeError);
    expect(() => losses.softmaxCrossEntropyWithLogits({ labels: [[1, 0]], logits: [[1, 0]], reduction: "avg" as never })).toThrow(tf.InvalidArgumentError);
    expect(() => (losses.softmaxCrossEntropyWithLogits as (a: unknown) => unknown)(undefined)).toThrow(tf.InvalidArgumentError);
  });
  it("the sparse form equals the dense form with one-hot labels", () => {
    const logits = tf.tensor([[1, 2, 3], [3, -1, 0.5]]);
    const ids = tf.tensor([2, 0], [2], "int32");
    const dense = losses.softmaxCrossEntropyWithLogits({ labels: tf.oneHot(ids, 3), logits, reduction: "none" });
    const sparse = losses.sparseSoftmaxCrossEntropyWithLogits({ labels: ids, logits, reduction: "none" });
    expectClose(sparse.dataSync(), values(dense), 1e-6);
    expect(nn.sparseSoftmaxCrossEntropyWithLogits({ labels: ids, logits }).shape).toEqual([2]);
    expect(() => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.tensor([3, 0], [2], "int32"), logits })).toThrow(/outside \[0, 3\)/);
    expect(() => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.tensor([1], [1], "int32"), logits })).toThrow(tf.ShapeError);
  });
  it("sparse: takes its labels as an argument of a compiled function (no range check on symbolic labels)", () => {
    const logits = tf.tensor([[1, 2, 3], [0, 1, 0]]);
    const ids = tf.tensor([2, 1], [2], "int32");
    const f = tf.compile((z: tf.Tensor, y: tf.Tensor) => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: z, reduction: "none" }));
    expectClose(f(logits, ids).dataSync(), [3 - lse([1, 2, 3]), 1 - lse([0, 1, 0])].map((v) => -v), 1e-6);
    expect(f.traceCount).toBe(1);
  });
});

describe("sigmoid cross-entropy", () => {
  it("matches max(x, 0) - x z + log(1 + e^-|x|), stably", () => {
    const l = losses.sigmoidCrossEntropyWithLogits({ labels: [1, 0, 1, 0.3], logits: [0, 2, -1000, 1], reduction: "none" });
    expectClose(l.dataSync(), [Math.LN2, 2 + Math.log1p(Math.exp(-2)), 1000, 1 - 0.3 + Math.log1p(Math.exp(-1))], 1e-4);
    const [g] = tf.gradientsFunction((x) => losses.sigmoidCrossEntropyWithLogits({ labels: tf.tensor([0.3, 1], undefined, "float64"), logits: x, reduction: "sum" }))(tf.tensor([0.5, -2], undefined, "float64"));
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expectClose(g!.dataSync(), [sig(0.5) - 0.3, sig(-2) - 1], 1e-12);
  });
});

describe("regression losses", () => {
  it("meanSquaredError", () => {
    expectClose(losses.meanSquaredError({ labels: [0, 0], predictions: [1, 3] }).dataSync(), [5]);
    expectClose(losses.meanSquaredError({ labels: [0, 0], predictions: [1, 3], reduction: "sum" }).dataSync(), [10]);
    expectClose(losses.meanSquaredError({ labels: [[1], [2]], predictions: [[1], [4]], reduction: "none" }).dataSync(), [0, 4]);
    expect(() => losses.meanSquaredError({ labels: [0, 0], predictions: [1] })).toThrow(tf.ShapeError);
  });
  it("huber is quadratic within delta and linear beyond, with a matching gradient", () => {
    expectClose(losses.huber({ labels: [0, 0, 1], predictions: [0.5, 3, -1], reduction: "none" }).dataSync(), [0.125, 2.5, 1.5]);
    expectClose(losses.huber({ labels: [0], predictions: [3], delta: 2, reduction: "none" }).dataSync(), [4]);
    const [g] = tf.gradientsFunction((p) => losses.huber({ labels: tf.tensor([0, 0], undefined, "float64"), predictions: p, reduction: "sum" }))(tf.tensor([0.5, -3], undefined, "float64"));
    expectClose(g!.dataSync(), [0.5, -1], 1e-12);
    expect(() => losses.huber({ labels: [0], predictions: [1], delta: 0 })).toThrow(tf.InvalidArgumentError);
  });
  it("leaves no tensors behind", () => {
    const y = tf.tensor([1, 2]);
    const p = tf.tensor([2, 2]);
    const before = tf.memory().numTensors;
    losses.huber({ labels: y, predictions: p }).dispose();
    losses.softmaxCrossEntropyWithLogits({ labels: [[0, 1]], logits: [[1, 2]] }).dispose();
    losses.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.tensor([1], [1], "int32"), logits: [[1, 2]] }).dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
  });
});
