/**
 * Workloads shared by the Node and the Chromium tests: a seeded MNIST-shaped batch, one
 * training step of a model on a device, a small conv model's gradients, and a training loop
 * for leak checks. Each returns plain numbers so tests compare devices with each other.
 */
import * as tf from "@eager/core";
import { losses, train, type Network, type Tensor } from "@eager/core";

/** A seeded batch: images in [0, 1) and one-hot labels. */
export function batch(n: number, seed: number, features = 784): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * features);
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + Math.floor(rnd() * 10)] = 1;
  return { x, y };
}

/** Copy every weight of `from` into `to` (same architecture). */
export async function copyWeights(from: Network, to: Network): Promise<void> {
  const a = from.variables;
  const b = to.variables;
  for (let i = 0; i < a.length; i++) b[i]!.assign(tf.tensor(await a[i]!.data(), [...a[i]!.shape]));
}

/** What one training step gives: the loss, each gradient and each updated weight. */
export interface StepResult {
  readonly loss: number;
  readonly grads: Float32Array[];
  readonly weights: Float32Array[];
  /** Devices the gradients were computed on. */
  readonly devices: string[];
}

/** One gradient-descent step (softmax cross-entropy, learning rate 0.1) of `model` on `device`. */
export async function trainStep(device: string, model: Network, b: { x: Float32Array; y: Float32Array }, n: number): Promise<StepResult> {
  const opt = new train.GradientDescentOptimizer({ learningRate: 0.1 });
  const [loss, pairs] = tf.withDevice(device, () => {
    const x = tf.tensor(b.x, [n, 784]);
    const y = tf.tensor(b.y, [n, 10]);
    return tf.implicitValueAndGradients(() => losses.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) as Tensor }))();
  });
  const devices = pairs.map(([g]) => g.device);
  const grads = await Promise.all(pairs.map(([g]) => g.data() as Promise<Float32Array>));
  tf.withDevice(device, () => opt.applyGradients(pairs));
  const weights = await Promise.all(pairs.map(([, v]) => v.data() as Promise<Float32Array>));
  const lossValue = (await loss.data())[0]!;
  loss.dispose();
  for (const [g] of pairs) g.dispose();
  return { loss: lossValue, grads, weights, devices };
}

/** Largest absolute difference between two arrays of equal length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Gradients of a small conv model's loss (conv2d, relu, maxPool, dense, softmax cross-entropy)
 * with respect to its input, filter and dense weights, computed on `device` from seeded values.
 */
export async function convModelGradients(device: string): Promise<{ loss: number; grads: Float32Array[] }> {
  const b = batch(2, 7, 6 * 6 * 2);
  const filter = batch(1, 11, 3 * 3 * 2 * 3).x.map((v) => v - 0.5);
  const dense = batch(1, 13, 3 * 3 * 3 * 10).x.map((v) => (v - 0.5) * 0.3);
  const [loss, grads] = tf.withDevice(device, () => {
    const x = tf.tensor(b.x, [2, 6, 6, 2]);
    const f = tf.tensor(filter, [3, 3, 2, 3]);
    const w = tf.tensor(dense, [27, 10]);
    const labels = tf.tensor(b.y, [2, 10]);
    const lossOf = (xi: Tensor, fi: Tensor, wi: Tensor) => {
      const h = tf.maxPool(tf.relu(tf.conv2d(xi, fi, 1, "same")), 2, 2, "valid");
      return losses.softmaxCrossEntropyWithLogits({ labels, logits: tf.matmul(tf.reshape(h, [2, 27]), wi) });
    };
    return tf.valueAndGradientsFunction(lossOf)(x, f, w);
  });
  const out = { loss: (await loss.data())[0]!, grads: await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)) };
  loss.dispose();
  grads.forEach((g) => g.dispose());
  return out;
}
