/**
 * Training and evaluation loops for MNIST: batched datasets from host arrays, one epoch of
 * implicit-gradient steps with a progress bar and a loss curve, and test-set evaluation.
 * Every step runs inside `tidy`, and batches are disposed once used.
 */
import { data, losses, metrics, tensor, tidy, type Tensor, type layers } from "@eager/core";
import type { MnistSplit } from "./data.js";
import type { TrainStep } from "../train-step.js";

/** Images [n, 784] and labels [n] as tensors on the current device. */
export function splitTensors(s: MnistSplit): { images: Tensor; labels: Tensor } {
  return { images: tensor(s.images, [s.count, 784], "float32"), labels: tensor(s.labels, [s.count], "int32") };
}

/** Shuffled batches of [images, labels] (the last, smaller batch kept). */
export function batches(images: Tensor, labels: Tensor, batchSize: number, seed: number): data.Dataset<[Tensor, Tensor]> {
  return data.Dataset.fromTensorSlices([images, labels] as [Tensor, Tensor]).shuffle(images.shape[0]!, { seed }).batch(batchSize).prefetch(2);
}

/** Accuracy and mean loss of `model` on a split, in chunks. */
export async function evaluate(model: layers.Layer, s: MnistSplit, chunk = 1000): Promise<{ accuracy: number; loss: number }> {
  const acc = new metrics.Accuracy();
  const loss = new metrics.Mean();
  for (let i = 0; i < s.count; i += chunk) {
    const n = Math.min(chunk, s.count - i);
    tidy(() => {
      const x = tensor(s.images.subarray(i * 784, (i + n) * 784), [n, 784], "float32");
      const y = tensor(s.labels.subarray(i, i + n), [n], "int32");
      const logits = model.apply(x);
      acc.update(y, logits);
      loss.update(losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits, reduction: "none" }));
    });
  }
  const out = { accuracy: await acc.resultAsync(), loss: await loss.resultAsync() };
  acc.reset();
  loss.reset();
  return out;
}

/** What one epoch reports. */
export interface EpochResult {
  readonly seconds: number;
  readonly steps: number;
  readonly meanLoss: number;
  readonly trainAccuracy: number;
}

/** The MNIST training loss of `model`: mean sparse softmax cross-entropy of its logits. */
export function mnistLoss(model: layers.Layer): (x: Tensor, y: Tensor) => Tensor {
  return (x, y) => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x, { training: true }) });
}

/**
 * One epoch of `step` (the loss's gradients and the optimizer's update, eager or compiled) over
 * `dataset`. `curve` receives the mean loss of the last `every` steps, at x = `stepOffset` + step;
 * every `every` steps the training accuracy of the batch is measured with an eager forward pass.
 */
export async function trainEpoch(
  model: layers.Layer,
  step: TrainStep,
  dataset: AsyncIterable<[Tensor, Tensor]>,
  o: { steps: number; label: string; curve?: metrics.LossCurve; curveName?: string; stepOffset?: number; every?: number },
): Promise<EpochResult> {
  const meanLoss = new metrics.Mean();
  const recentLoss = new metrics.Mean();
  const acc = new metrics.Accuracy();
  const bar = new metrics.ProgressBar({ total: o.steps, label: o.label });
  const every = o.every ?? 20;
  const start = performance.now();
  let k = 0;
  for await (const [x, y] of dataset) {
    tidy(() => {
      const loss = step(x, y);
      meanLoss.update(loss);
      recentLoss.update(loss);
      if (k % every === 0) acc.update(y, model.apply(x));
    });
    k++;
    const n = x.shape[0]!;
    x.dispose();
    y.dispose();
    if (k % every === 0 || k === o.steps) {
      o.curve?.add(o.curveName ?? "train loss", (o.stepOffset ?? 0) + k, await recentLoss.resultAsync());
      recentLoss.reset();
      bar.update(k, { examples: n, values: { loss: await meanLoss.resultAsync(), accuracy: await acc.resultAsync() } });
    } else bar.update(k, { examples: n });
  }
  const out = { seconds: (performance.now() - start) / 1000, steps: k, meanLoss: await meanLoss.resultAsync(), trainAccuracy: await acc.resultAsync() };
  bar.finish({ loss: out.meanLoss, accuracy: out.trainAccuracy });
  meanLoss.reset();
  recentLoss.reset();
  acc.reset();
  return out;
}
