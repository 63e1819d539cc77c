/**
 * Training on "gpu": the MNIST seed model's step and an MLP step (the examples' models, core's
 * layers, losses and optimizers) give the reference backend's loss, gradients and updated
 * weights within float32 tolerance; a composite CNN's gradients match too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { losses, train, type Network, type Tensor, type Variable } from "@eager/core";
import "@eager/backend-webgpu";
import { CNN, MLP, MNISTModel } from "../../../packages/examples/src/mnist/models.js";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "training on webgpu" : `training on webgpu (skipped: ${availability.reason})`;

/** A seeded batch: images in [0, 1) and one-hot labels. */
function batch(n: number, seed: number): { x: Float32Array; y: Float32Array; labels: Int32Array } {
  const x = new Float32Array(n * 784);
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const labels = Int32Array.from({ length: n }, () => Math.floor(rnd() * 10));
  const y = new Float32Array(n * 10);
  labels.forEach((l, i) => (y[i * 10 + l] = 1));
  return { x, y, labels };
}

/** Copy every weight of `from` into `to` (same architecture, built on another device). */
async function copyWeights(from: Network, to: Network): Promise<void> {
  const a = from.variables;
  const b = to.variables;
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) b[i]!.assign(tf.tensor(await a[i]!.data(), [...a[i]!.shape]));
}

interface StepResult {
  loss: number;
  grads: Float32Array[];
  weights: Float32Array[];
}

/** One gradient-descent step of `model` on `device`: loss, gradients and updated weights. */
async function step(device: string, model: Network, lossOf: (m: Network, x: Tensor, y: Tensor) => Tensor, b: { x: Float32Array; y: Float32Array }, n: number): Promise<StepResult> {
  const opt = new train.GradientDescentOptimizer({ learningRate: 0.1 });
  const [loss, pairs] = tf.withDevice(device, () => {
    const x = tf.tensor(b.x, [n, 784]);
    const y = tf.tensor(b.y, [n, 10]);
    return tf.implicitValueAndGradients(() => lossOf(model, x, y))();
  });
  for (const [g, v] of pairs) expect(g.device, `gradient of ${v.name}`).toBe(tf.resolveDevice(device));
  const grads = await Promise.all(pairs.map(([g]) => g.data() as Promise<Float32Array>));
  tf.withDevice(device, () => opt.applyGradients(pairs));
  const weights = await Promise.all(pairs.map(([, v]) => v.data() as Promise<Float32Array>));
  const lossValue = (await loss.data())[0]!;
  loss.dispose();
  for (const [g] of pairs) g.dispose();
  return { loss: lossValue, grads, weights };
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) - rtol * Math.abs(expected[i]!);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst excess error at [${at}]: got ${actual[at]}, expected ${expected[at]}`).toBeLessThanOrEqual(atol);
}

const softmaxLoss = (m: Network, x: Tensor, y: Tensor) => losses.softmaxCrossEntropyWithLogits({ labels: y, logits: m.apply(x) as Tensor });

async function compareStep(make: () => Network, n: number, seed: number, lossOf = softmaxLoss): Promise<void> {
  const ref = make();
  const gpu = make();
  const b = batch(n, seed);
  tf.withDevice("reference", () => tf.tidy(() => void ref.apply(tf.zeros([1, 784]))));
  tf.withDevice("gpu", () => tf.tidy(() => void gpu.apply(tf.zeros([1, 784]))));
  await copyWeights(ref, gpu);
  for (const v of gpu.variables as Variable[]) expect(v.device).toBe("webgpu");
  const r = await step("reference", ref, lossOf, b, n);
  const g = await step("gpu", gpu, lossOf, b, n);
  expect(Math.abs(g.loss - r.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.loss)));
  r.grads.forEach((e, i) => {
    expect(e.some((v) => v !== 0), `reference gradient ${i} is not all zeros`).toBe(true);
    expectClose(g.grads[i]!, e, `gradient ${i}`);
  });
  r.weights.forEach((e, i) => expectClose(g.weights[i]!, e, `weight ${i} after the step`));
}

suite(title, () => {
  beforeAll(() => {
    tf.setFallbackPolicy("error");
  });

  it("the seed MNISTModel's step equals the reference's", async () => {
    await compareStep(() => new MNISTModel(), 16, 1);
  });

  it("an MLP (784-256-10, ReLU) step equals the reference's", async () => {
    await compareStep(() => new MLP(3), 32, 2);
  });

  it("a CNN's gradients (conv, relu, max pooling, dense, softmax cross-entropy) equal the reference's", async () => {
    await compareStep(() => new CNN({ seed: 4, filters: [4, 8] }), 4, 3);
  });

  it("ops placed with withDevice('/gpu:0') run on webgpu and read back asynchronously", async () => {
    const y = tf.withDevice("/gpu:0", () => tf.matmul([[1, 2], [3, 4]], [[5], [6]]));
    expect(y.device).toBe("webgpu");
    expect(Array.from(await y.data())).toEqual([17, 39]);
    expect(() => y.dataSync()).toThrow(/await/);
    y.dispose();
  });
});
