/**
 * Export a trained MNIST model as a saved model and as ONNX, load each back (the saved model
 * with tf.loadModel, the ONNX file with onnxruntime-node when it is installed) and check that
 * each gives the trained model's test accuracy. Returns false when one differs.
 */
import * as tf from "@eager/core";
import { join } from "node:path";
import { stat } from "node:fs/promises";
import type { MnistSplit } from "./data.js";

const CHUNK = 1000;

/** Correct predictions over the test set, given a function from an image batch to its logits. */
async function correct(s: MnistSplit, logits: (images: Float32Array, n: number) => Promise<ArrayLike<number>>): Promise<number> {
  let right = 0;
  for (let i = 0; i < s.count; i += CHUNK) {
    const n = Math.min(CHUNK, s.count - i);
    const y = await logits(s.images.subarray(i * 784, (i + n) * 784), n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (y[r * 10 + k]! > y[r * 10 + best]!) best = k;
      if (best === s.labels[i + r]) right++;
    }
  }
  return right;
}

async function eagerLogits(run: (x: tf.Tensor) => tf.Tensor, images: Float32Array, n: number): Promise<Float32Array> {
  const x = tf.tensor(images, [n, 784], "float32");
  const y = run(x);
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

/** Export `model` to `out`, reload it both ways and compare test accuracies. */
export async function exportAndCheck(name: string, model: tf.Network, test: MnistSplit, out: string): Promise<boolean> {
  const inputSignature = [{ shape: [null, 784] }];
  const savedDir = await tf.saveModel(model, join(out, `mnist-${name}-saved`), { inputSignature });
  const onnxPath = await tf.onnx.saveModel(model, join(out, `mnist-${name}.onnx`), { inputSignature });
  const size = async (p: string) => (await stat(p)).size;
  console.log(`${name}: saved model ${savedDir} (model.json ${await size(join(savedDir, "model.json"))} B, weights ${await size(join(savedDir, "weights.safetensors"))} B); ONNX ${onnxPath} (${await size(onnxPath)} B)`);
  const pct = (k: number) => `${((100 * k) / test.count).toFixed(2)}%`;
  const trained = await correct(test, (im, n) => eagerLogits((x) => model.apply(x), im, n));
  const loaded = await tf.loadModel(savedDir);
  const saved = await correct(test, (im, n) => eagerLogits((x) => loaded.predict(x) as tf.Tensor, im, n));
  loaded.dispose();
  console.log(`${name}: test accuracy trained ${pct(trained)}, saved model ${pct(saved)} (${saved === trained ? "same" : "DIFFERENT"})`);
  let ok = saved === trained;
  let ort: typeof import("onnxruntime-node") | undefined;
  try {
    ort = await import("onnxruntime-node");
  } catch {
    console.log(`${name}: onnxruntime-node is not installed; the ONNX file was not run`);
  }
  if (ort) {
    const session = await ort.InferenceSession.create(onnxPath);
    const onnx = await correct(test, async (im, n) => (await session.run({ input_0: new ort.Tensor("float32", im.slice(), [n, 784]) })).output_0!.data as Float32Array);
    await session.release();
    console.log(`${name}: test accuracy in onnxruntime-node ${pct(onnx)} (${onnx === trained ? "same" : "DIFFERENT"})`);
    ok &&= onnx === trained;
  }
  return ok;
}
