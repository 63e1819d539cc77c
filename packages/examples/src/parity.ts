/**
 * Cross-device parity of the example models: for the MNIST seed model, the MLP and the CNN,
 * the loss and the gradients of every weight on a batch of real MNIST images, op by op on every
 * device available here against the reference backend. Exits non-zero when a device diverges.
 * Usage: pnpm parity [--batch N] [--devices cpu,webgpu] [--rtol X] [--atol X]
 */
import * as tf from "@eager/core";
import { layers, nn, type Tensor } from "@eager/core";
import { loadMnist } from "./mnist/data.js";
import { CNN, MLP, MNISTModel } from "./mnist/models.js";

async function loadBackends(): Promise<void> {
  for (const pkg of ["@eager/backend-cpu", "@eager/backend-webgl", "@eager/backend-webgpu"]) {
    try {
      await import(pkg);
    } catch (e) {
      console.log(`(${pkg} not loaded: ${(e as Error).message.split("\n")[0]})`);
    }
  }
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  await loadBackends();
  const n = Number(option("--batch") ?? 16);
  const devices = option("--devices")?.split(",");
  const rtol = option("--rtol") ? Number(option("--rtol")) : undefined;
  const atol = option("--atol") ? Number(option("--atol")) : undefined;
  const { test } = await loadMnist({ limit: n });
  const x = tf.withDevice("reference", () => tf.tensor(test.images.subarray(0, n * 784), [n, 784]));
  const y = tf.withDevice("reference", () => tf.oneHot(tf.tensor(test.labels.subarray(0, n), [n], "int32"), 10));
  const models: [string, layers.Layer][] = [["seed", new MNISTModel()], ["mlp", new MLP()], ["cnn", new CNN()]];
  let diverged = 0;
  for (const [name, model] of models) {
    console.log(`\n== ${name}: loss and gradients on ${n} MNIST test images`);
    const lossAndGrads = (images: Tensor, labels: Tensor) =>
      tf.implicitValueAndGradients(() => tf.mean(nn.softmaxCrossEntropyWithLogits({ labels, logits: model.apply(images) as Tensor })))();
    const report = await tf.checkParity(lossAndGrads, [x, y], { devices, rtol, atol });
    if (!report.ok) diverged++;
    model.dispose();
  }
  x.dispose();
  y.dispose();
  if (diverged) {
    console.log(`\n${diverged} model(s) diverged on some device`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
