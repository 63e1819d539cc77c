/**
 * The char-RNN in the training worker: trains the examples' Embedding -> GRU -> Dense model on
 * its bundled text with Adam (progress sent to the page) and samples text at a temperature,
 * using the example's vocabulary, batches, training step and sampler.
 */
import * as tf from "@eager/core";
import { CORPUS } from "../../examples/src/charrnn/corpus.js";
import { CharRNN } from "../../examples/src/charrnn/model.js";
import { sample, sampleBatch, trainStep, Vocabulary } from "../../examples/src/charrnn/train.js";
import type { CharProgress, CharSampleOptions, CharTrainOptions, CharTrainSummary } from "./protocol.js";

const vocab = new Vocabulary(CORPUS);
const ids = vocab.encode(CORPUS);
let model: CharRNN | null = null;
let modelDevice = "cpu";

/** Trains a fresh char-RNN on `o.device` for `o.steps` steps; `shouldStop` is checked between steps. */
export async function trainCharRnn(o: CharTrainOptions, onProgress: (p: CharProgress) => void, shouldStop: () => boolean): Promise<CharTrainSummary> {
  model?.dispose();
  tf.setDefaultDevice(o.device);
  modelDevice = o.device;
  model = new CharRNN({ vocabSize: vocab.size, embeddingDim: 16, units: 64, seed: 1 });
  const optimizer = new tf.train.AdamOptimizer({ learningRate: o.learningRate });
  const next = tf.uniformStream(2026);
  const start = performance.now();
  let firstLoss = NaN;
  let lastLoss = NaN;
  let done = 0;
  try {
    for (let s = 1; s <= o.steps && !shouldStop(); s++) {
      const { x, y } = sampleBatch(ids, o.batchSize, o.seqLength, next);
      const loss = trainStep(model, optimizer, x, y);
      const v = (await loss.data())[0]!;
      loss.dispose();
      x.dispose();
      y.dispose();
      if (s === 1) firstLoss = v;
      lastLoss = v;
      done = s;
      onProgress({ step: s, steps: o.steps, loss: v });
      // Let stop() and other calls in between steps.
      await new Promise((r) => setTimeout(r, 0));
    }
  } finally {
    optimizer.dispose();
  }
  return { device: o.device, steps: done, seconds: (performance.now() - start) / 1000, firstLoss, lastLoss, vocabSize: vocab.size, characters: ids.length };
}

/** Samples `o.length` characters after `o.prime` from the trained char-RNN at `o.temperature`. */
export function sampleCharRnn(o: CharSampleOptions): string {
  const m = model;
  if (!m) throw new Error("no char-RNN yet: train it first");
  return tf.withDevice(modelDevice, () => sample(m, vocab, o.prime, o.length, o.temperature, o.seed ?? 1));
}
