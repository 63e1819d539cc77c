/**
 * One training step of the seed model (the examples' MNISTModel: two Dense(10) layers,
 * softmax cross-entropy, plain gradient descent) on a device, beside the same step on the
 * reference backend from the same weights and batch. A backend's first end-to-end check; it
 * reads only asynchronously, so it works on devices without synchronous reads, and it disposes
 * every tensor it makes (a caller can check `memory()` around it).
 */
import * as tf from "@eager/core";
import { losses, train, type Network, type Tensor } from "@eager/core";
import { MNISTModel } from "../../../packages/examples/src/mnist/models.js";

/** What one step gave on the device, and how far it is from the reference's step. */
export interface StepComparison {
  readonly loss: number;
  readonly referenceLoss: number;
  /** Largest |device - reference| over every gradient element. */
  readonly gradientError: number;
  /** Largest |device - reference| over every weight after the update. */
  readonly weightError: number;
  /** The device each gradient was computed on. */
  readonly gradientDevices: string[];
}

/** A seeded batch of `n` images in [0, 1) with one-hot labels. */
function batch(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const x = Float32Array.from({ length: n * 784 }, rnd);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + Math.floor(rnd() * 10)] = 1;
  return { x, y };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

async function step(device: string, model: Network, b: { x: Float32Array; y: Float32Array }, n: number, learningRate: number) {
  const x = tf.withDevice(device, () => tf.tensor(b.x, [n, 784]));
  const y = tf.withDevice(device, () => tf.tensor(b.y, [n, 10]));
  const [loss, pairs] = tf.withDevice(device, () =>
    tf.implicitValueAndGradients(() => losses.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) as Tensor }))(),
  );
  x.dispose();
  y.dispose();
  const grads = await Promise.all(pairs.map(([g]) => g.data()));
  const gradientDevices = pairs.map(([g]) => g.device);
  const optimizer = new train.GradientDescentOptimizer({ learningRate });
  tf.withDevice(device, () => optimizer.applyGradients(pairs));
  optimizer.dispose();
  const weights = await Promise.all(pairs.map(([, v]) => v.data()));
  const value = (await loss.data())[0]!;
  loss.dispose();
  for (const [g] of pairs) g.dispose();
  return { loss: value, grads, weights, gradientDevices };
}

/**
 * Run one step of the seed model on `device` and on "reference" and compare them.
 * @example const r = await seedModelStep("mine"); // r.gradientError < 1e-5
 */
export async function seedModelStep(device: string, options: { batch?: number; seed?: number; learningRate?: number } = {}): Promise<StepComparison> {
  const n = options.batch ?? 16;
  const data = batch(n, options.seed ?? 1);
  const ref = new MNISTModel();
  const dev = new MNISTModel();
  tf.withDevice("reference", () => tf.tidy(() => void ref.apply(tf.zeros([1, 784]))));
  tf.withDevice(device, () => tf.tidy(() => void dev.apply(tf.zeros([1, 784]))));
  for (let i = 0; i < ref.variables.length; i++) {
    const v = ref.variables[i]!;
    const values = await v.data();
    const copy = tf.withDevice(device, () => tf.tensor(values, [...v.shape]));
    dev.variables[i]!.assign(copy);
    copy.dispose();
  }
  const r = await step("reference", ref, data, n, options.learningRate ?? 0.1);
  const d = await step(device, dev, data, n, options.learningRate ?? 0.1);
  ref.dispose();
  dev.dispose();
  return {
    loss: d.loss,
    referenceLoss: r.loss,
    gradientError: Math.max(...d.grads.map((g, i) => maxDiff(g, r.grads[i]!))),
    weightError: Math.max(...d.weights.map((w, i) => maxDiff(w, r.weights[i]!))),
    gradientDevices: d.gradientDevices,
  };
}
