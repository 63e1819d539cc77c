/** The char-RNN example's pieces: vocabulary round trip, batches shifted by one, a training run whose loss falls, sampling. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { CORPUS } from "../../examples/src/charrnn/corpus.js";
import { CharRNN } from "../../examples/src/charrnn/model.js";
import { sample, sampleBatch, trainStep, Vocabulary } from "../../examples/src/charrnn/train.js";

describe("char-RNN example", () => {
  const vocab = new Vocabulary(CORPUS);
  const ids = vocab.encode(CORPUS);
  it("encodes and decodes the text; batches are the text shifted by one", () => {
    expect(vocab.decode(ids)).toBe(CORPUS);
    expect(vocab.size).toBeGreaterThan(30);
    const { x, y } = sampleBatch(ids, 2, 8, tf.uniformStream(1));
    const xs = x.arraySync() as number[][], ys = y.arraySync() as number[][];
    for (let b = 0; b < 2; b++) expect(vocab.decode(ys[b]!.slice(0, 7))).toBe(vocab.decode(xs[b]!.slice(1)));
  });
  it("the loss falls in 40 Adam steps and sampling yields vocabulary characters", () => {
    const model = new CharRNN({ vocabSize: vocab.size, units: 32, seed: 3 });
    const opt = new tf.train.AdamOptimizer({ learningRate: 0.02 });
    const next = tf.uniformStream(5);
    const losses: number[] = [];
    for (let s = 0; s < 40; s++) {
      const { x, y } = sampleBatch(ids, 8, 16, next);
      const l = trainStep(model, opt, x, y);
      losses.push(l.item() as number);
      l.dispose();
      x.dispose();
      y.dispose();
    }
    const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
    expect(losses[0]).toBeCloseTo(Math.log(vocab.size), 0);
    expect(mean(losses.slice(-5))).toBeLessThan(losses[0]! - 0.6);
    const before = tf.memory().numTensors;
    const text = sample(model, vocab, "Alice ", 30, 0.7, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(text).toHaveLength(30);
    expect([...text].every((c) => vocab.chars.includes(c))).toBe(true);
    expect(sample(model, vocab, "Alice ", 30, 0.7, 1)).toBe(text);
  });
});
