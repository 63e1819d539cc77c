/**
 * The TF.js names: each alias computes what its TF.js namesake does (values checked by hand)
 * and frees what it should.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { expectClose } from "./helpers/gradcheck.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("gradient functions", () => {
  it("grad, grads, valueAndGrad, valueAndGrads", () => {
    expect(tf.grad((x) => x.square())(3).item()).toBe(6);
    expectClose(tf.grad((x) => x.square())([1, 2], [10, 100]).dataSync(), [20, 400]);
    const [ga, gb] = tf.grads((a, b) => a.mul(b))([2, 5]);
    expect([ga!.item(), gb!.item()]).toEqual([5, 2]);
    const { value, grad } = tf.valueAndGrad((x) => x.pow(3))(2);
    expect([value.item(), grad.item()]).toEqual([8, 12]);
    const r = tf.valueAndGrads((a, b) => a.add(b.square()))([1, 3]);
    expect([r.value.item(), r.grads[0]!.item(), r.grads[1]!.item()]).toEqual([10, 1, 6]);
    expect(() => tf.grad((x) => x)([1, 2], [1])).toThrow(tf.ShapeError);
  });
  it("variableGrads keys gradients by variable name and honours varList", () => {
    const w = tf.variable(tf.tensor([1, 2]), { name: "vg_w" });
    const u = tf.variable(tf.tensor(3), { name: "vg_u" });
    const { value, grads } = tf.variableGrads(() => w.square().sum().mul(u));
    expect(value.item()).toBe(15);
    expect(Object.keys(grads).sort()).toEqual(["vg_u", "vg_w"]);
    expectClose(grads["vg_w"]!.dataSync(), [6, 12]);
    expect(Object.keys(tf.variableGrads(() => w.square().sum().mul(u), [u]).grads)).toEqual(["vg_u"]);
  });
});

describe("memory and printing names", () => {
  it("dispose walks tensors, arrays and objects; disposeVariables frees variables", () => {
    const a = tf.tensor([1]);
    const b = tf.tensor([2]);
    const c = tf.tensor([3]);
    tf.dispose([a, { inner: [b], n: 3, s: "x" }, null]);
    expect(a.isDisposed && b.isDisposed).toBe(true);
    expect(c.isDisposed).toBe(false);
    tf.dispose(c);
    expect(c.isDisposed).toBe(true);
    const v = tf.variable(tf.tensor([1, 2]));
    tf.disposeVariables();
    expect(v.isDisposed).toBe(true);
  });
  it("print, clone, flatten, asType as functions and methods", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const t = tf.tensor([[1.5, 2], [3, 4]]);
    t.print();
    tf.print(t, true);
    expect(log.mock.calls[0]![0]).toBe(String(t));
    expect(String(t)).toMatch(/^Tensor\(\[\[1\.5, +2\], +\[3, +4\]\], shape=\[2,2\], dtype=float32\)$/s);
    expect(String(log.mock.calls[1]![0])).toContain("dtype: float32");
    log.mockRestore();
    const c = t.clone();
    expect(c).not.toBe(t);
    expect(vals(c)).toEqual([1.5, 2, 3, 4]);
    expect(t.flatten().shape).toEqual([4]);
    expect(tf.flatten(t).shape).toEqual([4]);
    const i = t.asType("int32");
    expect([i.dtype, ...vals(i)]).toEqual(["int32", 1, 2, 3, 4]);
  });
  it("tensor1d..tensor4d check rank", () => {
    expect(tf.tensor2d([1, 2, 3, 4], [2, 2]).shape).toEqual([2, 2]);
    expect(tf.tensor1d([1, 2]).shape).toEqual([2]);
    expect(() => tf.tensor2d([1, 2])).toThrow(/rank-2/);
  });
  it("setBackend, getBackend and nextFrame", async () => {
    const before = tf.getBackend();
    expect(await tf.setBackend("no-such-backend")).toBe(false);
    expect(await tf.setBackend("reference")).toBe(true);
    expect(tf.getBackend()).toBe("reference");
    tf.setDefaultDevice(before === "reference" ? null : before);
    await expect(tf.nextFrame()).resolves.toBeUndefined();
  });
  it("util basics", () => {
    expect(tf.util.sizeFromShape([2, 3])).toBe(6);
    expect(tf.util.arraysEqual([1, 2], new Float32Array([1, 2]))).toBe(true);
    expect(tf.util.arraysEqual([1, 2], [1, 3])).toBe(false);
    expect(tf.util.flatten([[1, 2], [3, [4]]])).toEqual([1, 2, 3, 4]);
    expect(tf.util.inferShape([[1, 2, 3]])).toEqual([1, 3]);
    const arr = [1, 2, 3, 4, 5, 6, 7, 8];
    tf.util.shuffle(arr);
    expect([...arr].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => tf.util.assert(false, () => "nope")).toThrow("nope");
    expect(tf.util.isTypedArray(new Int32Array(1))).toBe(true);
  });
});

describe("composite ops", () => {
  it("squaredDifference", () => {
    expect(vals(tf.squaredDifference([1, 4], [3, 1]))).toEqual([4, 9]);
    expect(vals(tf.tensor([1, 4]).squaredDifference(2))).toEqual([1, 4]);
  });
  it("norm: vector and matrix orders", () => {
    expect(tf.norm([3, 4]).item()).toBeCloseTo(5);
    expect(tf.norm([3, -4], 1).item()).toBe(7);
    expect(tf.norm([3, -4], Infinity).item()).toBe(4);
    expect(tf.norm([3, -4], -Infinity).item()).toBe(3);
    expect(tf.norm([1, 2, 2], 3).item()).toBeCloseTo(Math.cbrt(17), 5);
    const m = tf.tensor([[1, -2], [3, 4]]);
    expect(vals(tf.norm(m, "euclidean", 1))).toEqual([Math.fround(Math.sqrt(5)), 5]);
    expect(tf.norm(m, "fro", [0, 1]).item()).toBeCloseTo(Math.sqrt(30), 5);
    expect(tf.norm(m, 1, [0, 1]).item()).toBe(6); // max column sum: |−2|+|4|
    expect(tf.norm(m, Infinity, [0, 1]).item()).toBe(7); // max row sum: 3+4
    expect(tf.norm(m, 1, [0, 1], true).shape).toEqual([1, 1]);
  });
  it("sort ascending and descending along the last axis", () => {
    expect(vals(tf.sort([3, 1, 2]))).toEqual([1, 2, 3]);
    expect(vals(tf.sort([[3, 1, 2], [0, -1, 5]], true))).toEqual([3, 2, 1, 5, 0, -1]);
    expect(vals(tf.tensor([2, 1]).sort())).toEqual([1, 2]);
  });
  it("einsum lowers to matmul, transpose and sum", () => {
    const a = tf.tensor([[1, 2], [3, 4]]);
    const b = tf.tensor([[5, 6], [7, 8]]);
    expect(vals(tf.einsum("ij,jk->ik", a, b))).toEqual(vals(tf.matmul(a, b)));
    expect(vals(tf.einsum("ij->ji", a))).toEqual([1, 3, 2, 4]);
    expect(tf.einsum("ij->", a).item()).toBe(10);
    expect(tf.einsum("i,i->", [1, 2, 3], [4, 5, 6]).item()).toBe(32);
    expect(vals(tf.einsum("i,j->ij", [1, 2], [3, 4]))).toEqual([3, 4, 6, 8]);
    expect(vals(tf.einsum("ij,kj->ik", a, b))).toEqual(vals(tf.matmul(a, b, false, true)));
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    expect(vals(tf.einsum("bij,bjk->bik", x, x))).toEqual(vals(tf.matmul(x, x)));
    expect(vals(tf.einsum("bij,bjk->kib", x, x))).toEqual(vals(tf.transpose(tf.matmul(x, x), [2, 1, 0])));
    expect(() => tf.einsum("ij,jk", a, b)).toThrow(/explicit/);
    expect(() => tf.einsum("ii->i", a)).toThrow(/diagonals/);
    expect(() => tf.einsum("...ij->ij", a)).toThrow(/ellipsis/);
    expect(() => tf.einsum("ij,jk->ik", a, tf.ones([3, 2]))).toThrow(tf.ShapeError);
  });
  it("einsum differentiates through its lowering", () => {
    const [ga] = tf.gradientsFunction((p, q) => tf.einsum("ij,jk->ik", p, q))([[1, 2]], [[3], [4]]);
    expect(vals(ga!)).toEqual([3, 4]);
  });
});

describe("losses and functional metrics", () => {
  it("absoluteDifference and logLoss with TF.js's positional signatures", () => {
    expect(tf.losses.absoluteDifference([0, 0], [1, -3]).item()).toBe(2);
    expect(tf.losses.absoluteDifference([0, 0], [1, -3], [1, 0]).item()).toBe(1); // nonzero-weight mean
    expect(tf.losses.absoluteDifference([0, 0], [1, -3], undefined, "sum").item()).toBe(4);
    expect(tf.losses.logLoss([1], [0.5]).item()).toBeCloseTo(Math.log(2), 5);
    expect(vals(tf.losses.logLoss([1, 0], [0.9, 0.2], undefined, 1e-7, "none")).map((v) => +v.toFixed(4))).toEqual([0.1054, 0.2231]);
  });
  it("meanSquaredError, huberLoss, hingeLoss, cosineDistance, softmaxCrossEntropy, sigmoidCrossEntropy positionally", () => {
    expect(tf.losses.meanSquaredError([0, 0], [1, 3]).item()).toBe(5);
    expect(tf.losses.meanSquaredError([0, 0], [1, 3], [1, 0]).item()).toBe(1);
    expect(tf.losses.meanSquaredError({ labels: [0, 0], predictions: [1, 3] }).item()).toBe(5);
    expect(tf.losses.huberLoss([0], [3]).item()).toBe(2.5);
    expect(tf.losses.hingeLoss([1, 0], [0.5, 0.5]).item()).toBe(1);
    expect(tf.losses.cosineDistance([[1, 0]], [[0, 1]], 1).item()).toBe(1);
    expect(tf.losses.softmaxCrossEntropy([[0, 1]], [[0, Math.log(3)]]).item()).toBeCloseTo(-Math.log(0.75), 5);
    // Smoothing 0.5 over two classes turns [0, 1] into [0.25, 0.75].
    const smoothed = 0.25 * -Math.log(0.25) + 0.75 * -Math.log(0.75);
    expect(tf.losses.softmaxCrossEntropy([[0, 1]], [[0, Math.log(3)]], undefined, 0.5).item()).toBeCloseTo(smoothed, 5);
    expect(tf.losses.sigmoidCrossEntropy([1], [0]).item()).toBeCloseTo(Math.log(2), 5);
  });
  it("metrics as TF.js defines them", () => {
    expect(vals(tf.metrics.binaryAccuracy([[1, 0], [1, 1]], [[0.7, 0.2], [0.1, 0.9]]))).toEqual([1, 0.5]);
    expect(vals(tf.metrics.categoricalAccuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]))).toEqual([1, 0]);
    expect(vals(tf.metrics.sparseCategoricalAccuracy(tf.tensor([1, 1], [2], "int32"), [[0.2, 0.8], [0.3, 0.7]]))).toEqual([1, 1]);
    expect(tf.metrics.precision([1, 0, 1, 0], [1, 1, 0, 0]).item()).toBeCloseTo(0.5);
    expect(tf.metrics.recall([1, 0, 1, 1], [1, 1, 0, 1]).item()).toBeCloseTo(2 / 3);
    expect(vals(tf.metrics.meanSquaredError([[0, 0]], [[1, 3]]))).toEqual([5]);
    expect(vals(tf.metrics.mae([[0, 0]], [[1, -3]]))).toEqual([2]);
    expect(tf.metrics.binaryCrossentropy([[1]], [[0.5]]).dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    expect(tf.metrics.categoricalCrossentropy([[0, 1]], [[0.5, 0.5]]).dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    expect(tf.metrics.sparseCategoricalCrossentropy(tf.tensor([1], [1], "int32"), [[0.75, 0.25]]).dataSync()[0]).toBeCloseTo(Math.log(4), 5);
    expect(tf.metrics.cosineProximity([[1, 0]], [[2, 0]]).dataSync()[0]).toBeCloseTo(-1);
  });
});

describe("optimizer factories and minimize(f, returnCost, varList)", () => {
  it("factories build the optimizer classes with TF.js defaults", () => {
    expect(tf.train.sgd(0.1)).toBeInstanceOf(tf.train.GradientDescentOptimizer);
    expect(tf.train.momentum(0.1, 0.9, true)).toBeInstanceOf(tf.train.MomentumOptimizer);
    const adam = tf.train.adam();
    expect([adam.learningRate, adam.beta1, adam.beta2, adam.epsilon]).toEqual([0.001, 0.9, 0.999, 1e-7]);
    expect(tf.train.rmsprop(0.01).rho).toBe(0.9);
    expect(tf.train.adagrad(0.1).initialAccumulatorValue).toBe(0.1);
  });
  it("minimize returns the cost only when asked and leaks nothing either way", () => {
    const w = tf.variable(tf.tensor([3]));
    const opt = tf.train.sgd(0.25);
    const before = tf.memory().numTensors;
    expect(opt.minimize(() => w.square().sum())).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    const cost = opt.minimize(() => w.square().sum(), true);
    expect(cost.item()).toBeCloseTo(2.25);
    cost.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => opt.minimize(() => w.square().sum(), [w] as never)).toThrow(/returnCost must be a boolean/);
  });
});
