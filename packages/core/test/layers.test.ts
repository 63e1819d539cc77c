/** Layers: forward values against hand-computed results and gradients against finite differences. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers } from "@eager/core";
import { checkLayerGradients, expectClose, values } from "./helpers/gradcheck.js";

const f64 = (v: tf.TensorLike, shape?: number[]) => tf.tensor(v, shape, "float64");
const constInit = (v: number[]) => (shape: readonly number[], dtype: tf.DType) => tf.tensor(v, shape, dtype);
const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float64", seed);

describe("initializers", () => {
  const { glorotUniform, heNormal, zerosInit, onesInit, constant, computeFans, glorotNormal, heUniform } = layers.initializers;
  it("computes fans like Keras", () => {
    expect(computeFans([784, 10])).toEqual([784, 10]);
    expect(computeFans([3, 3, 8, 16])).toEqual([72, 144]);
  });
  it("glorotUniform stays within sqrt(6 / (in + out)) and is repeatable with a seed", () => {
    const a = values(glorotUniform({ seed: 3 })([100, 50], "float32"));
    const b = values(glorotUniform({ seed: 3 })([100, 50], "float32"));
    const limit = Math.sqrt(6 / 150);
    expect(a).toEqual(b);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(limit * 0.95);
    const c = values(glorotUniform({ seed: 4 })([100, 50], "float32"));
    expect(c).not.toEqual(a);
  });
  it("heNormal and glorotNormal have the intended spread", () => {
    const std = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    expect(std(values(heNormal({ seed: 1 })([400, 100], "float32")))).toBeCloseTo(Math.sqrt(2 / 400), 2);
    expect(std(values(glorotNormal({ seed: 1 })([300, 100], "float32")))).toBeCloseTo(Math.sqrt(2 / 400), 2);
    const hu = values(heUniform({ seed: 2 })([200, 10], "float32"));
    expect(Math.max(...hu.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 200));
  });
  it("constant initializers", () => {
    expect(values(zerosInit()([2], "float32"))).toEqual([0, 0]);
    expect(values(onesInit()([2], "int32"))).toEqual([1, 1]);
    expect(values(constant(2.5)([1], "float64"))).toEqual([2.5]);
    expect(() => new layers.Dense({ units: 2, kernelInitializer: "nope" as never }).apply(tf.zeros([1, 2]))).toThrow(tf.InvalidArgumentError);
  });
});

describe("Dense", () => {
  it("computes activation(x W + b) by hand", () => {
    const d = new layers.Dense({ units: 3, activation: "relu", kernelInitializer: constInit([1, 2, -3, 4, 5, -6]), biasInitializer: constInit([1, -20, 1]) });
    const y = d.apply(tf.tensor([[1, 2]]));
    // x W = [1 + 8, 2 + 10, -3 - 12] = [9, 12, -15]; + b = [10, -8, -14]; relu
    expect(y.arraySync()).toEqual([[10, 0, 0]]);
    expect(d.kernel!.shape).toEqual([2, 3]);
    expect(d.bias!.shape).toEqual([3]);
  });
  it("accepts a unit count, works on the last axis of any rank, and checks it", () => {
    const d = new layers.Dense(10);
    expect(d.apply(tf.zeros([1, 1, 784])).shape).toEqual([1, 1, 10]);
    expect(d.apply(tf.zeros([5, 784])).shape).toEqual([5, 10]);
    expect(() => d.apply(tf.zeros([2, 3]))).toThrow(tf.ShapeError);
    expect(new layers.Dense(4, { useBias: false }).apply(tf.zeros([2, 3])).shape).toEqual([2, 4]);
    expect(() => new layers.Dense({ units: 0 })).toThrow(tf.InvalidArgumentError);
  });
  it("takes float64 weights from a float64 input, and its gradients match finite differences", () => {
    const d = new layers.Dense({ units: 3, activation: "tanh", kernelInitializer: layers.initializers.glorotUniform({ seed: 1 }), biasInitializer: layers.initializers.randomNormalInit({ seed: 2 }) });
    checkLayerGradients((x) => d.apply(x), rnd([2, 2, 4], 3), () => d.trainableVariables);
    expect(d.kernel!.dtype).toBe("float64");
  });
});

describe("convolution and pooling layers", () => {
  const img = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  it("Conv2D sums windows with the kernel, plus bias", () => {
    const c = new layers.Conv2D({ filters: 1, kernelSize: 2, kernelInitializer: "ones", biasInitializer: constInit([0.5]) });
    const y = c.apply(img);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expectClose(y.dataSync(), [12.5, 16.5, 24.5, 28.5]);
    expect(new layers.Conv2D({ filters: 4, kernelSize: 3, padding: "same" }).apply(tf.zeros([2, 5, 5, 3])).shape).toEqual([2, 5, 5, 4]);
    expect(new layers.Conv2D({ filters: 4, kernelSize: [3, 1], strides: 2 }).apply(tf.zeros([1, 7, 7, 3])).shape).toEqual([1, 3, 4, 4]);
    expect(() => c.apply(tf.zeros([3, 3]))).toThrow(tf.ShapeError);
  });
  it("DepthwiseConv2D convolves each channel with its own filter", () => {
    const x = tf.tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const c = new layers.DepthwiseConv2D({ kernelSize: 2, useBias: false, kernelInitializer: constInit([1, 2, 1, 2, 1, 2, 1, 2]) });
    // channel 0: 1+2+3+4 = 10 (weights 1); channel 1: 2 * (10+20+30+40) = 200
    expectClose(c.apply(x).dataSync(), [10, 200]);
    expect(new layers.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, padding: "same" }).apply(tf.zeros([1, 4, 4, 3])).shape).toEqual([1, 4, 4, 6]);
  });
  it("Conv2D and DepthwiseConv2D gradients match finite differences", () => {
    const c = new layers.Conv2D({ filters: 2, kernelSize: 2, padding: "same", activation: "tanh", kernelInitializer: layers.initializers.glorotUniform({ seed: 5 }), biasInitializer: layers.initializers.randomNormalInit({ seed: 6 }) });
    checkLayerGradients((x) => c.apply(x), rnd([1, 3, 3, 2], 8), () => c.trainableVariables);
    const d = new layers.DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, kernelInitializer: layers.initializers.glorotUniform({ seed: 9 }), biasInitializer: layers.initializers.randomNormalInit({ seed: 10 }) });
    checkLayerGradients((x) => d.apply(x), rnd([1, 3, 3, 2], 11), () => d.trainableVariables);
  });
  it("MaxPool2D, AvgPool2D and GlobalAveragePooling2D", () => {
    const x = tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(values(new layers.MaxPool2D().apply(x))).toEqual([4]);
    expect(values(new layers.AvgPool2D().apply(x))).toEqual([2.5]);
    expect(new layers.MaxPool2D({ poolSize: 2 }).apply(tf.zeros([1, 28, 28, 8])).shape).toEqual([1, 14, 14, 8]);
    expect(new layers.MaxPool2D({ poolSize: 3, strides: 1, padding: "same" }).apply(tf.zeros([1, 5, 5, 2])).shape).toEqual([1, 5, 5, 2]);
    const g = new layers.GlobalAveragePooling2D().apply(tf.tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]));
    expect(g.shape).toEqual([1, 2]);
    expectClose(g.dataSync(), [2.5, 25]);
  });
  it("pooling gradients match finite differences", () => {
    const mp = new layers.MaxPool2D({ poolSize: 2, strides: 1 });
    checkLayerGradients((x) => mp.apply(x), rnd([1, 3, 3, 2], 12), () => []);
    const ap = new layers.AvgPool2D({ poolSize: 2, strides: 1, padding: "same" });
    checkLayerGradients((x) => ap.apply(x), rnd([1, 3, 3, 2], 13), () => []);
    const gp = new layers.GlobalAveragePooling2D();
    checkLayerGradients((x) => gp.apply(x), rnd([2, 2, 3, 2], 14), () => []);
  });
});

describe("Flatten, Dropout and activations", () => {
  it("Flatten keeps the batch axis", () => {
    expect(new layers.Flatten().apply(tf.zeros([2, 3, 4])).shape).toEqual([2, 12]);
  });
  it("Dropout is the identity at inference and drops a seeded fraction while training", () => {
    const x = tf.ones([1000]);
    const d = new layers.Dropout({ rate: 0.25, seed: 7 });
    expect(d.apply(x)).toBe(x);
    const y = values(d.apply(x, { training: true }));
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(kept.length / 1000).toBeGreaterThan(0.7);
    expect(kept.length / 1000).toBeLessThan(0.8);
    const y2 = values(d.apply(x, { training: true }));
    expect(y2).not.toEqual(y);
    const again = new layers.Dropout({ rate: 0.25, seed: 7 });
    expect(values(again.apply(x, { training: true }))).toEqual(y);
    expect(() => new layers.Dropout(1)).toThrow(tf.InvalidArgumentError);
  });
  it("activation layers by name", () => {
    const x = tf.tensor([-2, 0, 3]);
    expect(values(new layers.Activation("relu").apply(x))).toEqual([0, 0, 3]);
    expect(values(new layers.ReLU().apply(x))).toEqual([0, 0, 3]);
    expectClose(new layers.LeakyReLU({ alpha: 0.1 }).apply(x).dataSync(), [-0.2, 0, 3]);
    const s = values(new layers.Softmax().apply(tf.tensor([[0, Math.log(3)]])));
    expectClose(s, [0.25, 0.75]);
    expect(new layers.Activation("linear").apply(x)).toBe(x);
    expect(() => new layers.Activation("nope" as never)).toThrow(tf.InvalidArgumentError);
  });
});

describe("normalization", () => {
  it("BatchNormalization uses batch statistics while training and moving averages at inference", () => {
    const bn = new layers.BatchNormalization({ momentum: 0.9 });
    const x = tf.tensor([[1, 10], [3, 30]]);
    const y = bn.apply(x, { training: true });
    // channel 0: mean 2, var 1; channel 1: mean 20, var 100
    expectClose(y.dataSync(), [-1 / Math.sqrt(1.001), -10 / Math.sqrt(100.001), 1 / Math.sqrt(1.001), 10 / Math.sqrt(100.001)], 1e-5);
    expectClose(bn.movingMean!.dataSync(), [0.2, 2], 1e-5);
    expectClose(bn.movingVariance!.dataSync(), [0.9 + 0.1, 0.9 + 10], 1e-4);
    const z = bn.apply(tf.tensor([[0.2, 2]]));
    expectClose(z.dataSync(), [0, 0], 1e-6);
    expect(bn.trainableVariables.map((v) => v.name)).toEqual(["batch_normalization/gamma", "batch_normalization/beta"]);
    expect(bn.nonTrainableVariables.map((v) => v.name)).toEqual(["batch_normalization/moving_mean", "batch_normalization/moving_variance"]);
  });
  it("BatchNormalization gradients (training mode) match finite differences", () => {
    const bn = new layers.BatchNormalization({ gammaInitializer: layers.initializers.randomNormalInit({ mean: 1, stddev: 0.3, seed: 1 }), betaInitializer: layers.initializers.randomNormalInit({ seed: 2 }) });
    checkLayerGradients((x) => bn.apply(x, { training: true }), rnd([4, 3], 15), () => bn.trainableVariables, { tol: 1e-5 });
  });
  it("LayerNormalization normalizes each example", () => {
    const ln = new layers.LayerNormalization();
    const y = ln.apply(tf.tensor([[1, 2, 3], [2, 4, 6]]));
    const s1 = Math.sqrt(2 / 3 + 1e-3);
    const s2 = Math.sqrt(8 / 3 + 1e-3);
    expectClose(y.dataSync(), [-1 / s1, 0, 1 / s1, -2 / s2, 0, 2 / s2], 1e-5);
    const ln2 = new layers.LayerNormalization({ gammaInitializer: layers.initializers.randomNormalInit({ mean: 1, stddev: 0.3, seed: 3 }), betaInitializer: layers.initializers.randomNormalInit({ seed: 4 }) });
    checkLayerGradients((x) => ln2.apply(x), rnd([2, 4], 16), () => ln2.trainableVariables, { tol: 1e-5 });
  });
});

describe("Embedding", () => {
  it("looks rows up by id and sends gradients to those rows only", () => {
    const e = new layers.Embedding({ inputDim: 4, outputDim: 2, embeddingsInitializer: constInit([0, 1, 10, 11, 20, 21, 30, 31]) });
    const ids = tf.tensor([[3, 1], [1, 1]], [2, 2], "int32");
    const y = e.apply(ids);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.arraySync()).toEqual([[[30, 31], [10, 11]], [[10, 11], [10, 11]]]);
    const [g] = tf.implicitGradients(() => tf.sum(e.apply(ids)))();
    expect(g![0].arraySync()).toEqual([[0, 0], [3, 3], [0, 0], [1, 1]]);
    expect(() => e.apply(tf.tensor([true]))).toThrow(tf.DTypeError);
  });
});

describe("Sequential", () => {
  it("chains layers, passes training through and names weights in order", () => {
    const m = new layers.Sequential([new layers.Dense({ units: 4, activation: "relu" }), new layers.Dropout({ rate: 0.5, seed: 1 }), new layers.Dense(2)]);
    expect(m.apply(tf.zeros([3, 5]), { training: true }).shape).toEqual([3, 2]);
    expect(m.variables.map((v) => v.name)).toEqual(["sequential/dense/kernel", "sequential/dense/bias", "sequential/dense_1/kernel", "sequential/dense_1/bias"]);
    expect(m.countParams()).toBe(5 * 4 + 4 + 4 * 2 + 2);
  });
});
