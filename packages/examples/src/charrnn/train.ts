/**
 * Training and sampling for the character-level model: a vocabulary from the text, random
 * windows as batches (input ids and the next character at each position), an eager or
 * compiled training step, and temperature sampling with `multinomial`, one character at a time.
 */
import * as tf from "@eager/core";
import { mean, nn, tidy, train, type Tensor } from "@eager/core";
import { CharRNN } from "./model.js";
import { makeTrainStep, type StepMode, type TrainStep } from "../train-step.js";

/** Characters of a text and the id of each. */
export class Vocabulary {
  readonly chars: string[];
  private readonly ids: Map<string, number>;
  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }
  get size(): number {
    return this.chars.length;
  }
  encode(text: string): Int32Array {
    return Int32Array.from(text, (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }
  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (i) => this.chars[i]!).join("");
  }
}

/** `batch` random windows of `length` + 1 ids: inputs [batch, length] and targets shifted by one. */
export function sampleBatch(ids: Int32Array, batch: number, length: number, next: () => number): { x: Tensor; y: Tensor } {
  const xs = new Int32Array(batch * length);
  const ys = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const start = Math.floor(next() * (ids.length - length - 1));
    xs.set(ids.subarray(start, start + length), b * length);
    ys.set(ids.subarray(start + 1, start + length + 1), b * length);
  }
  return { x: tf.tensor(xs, [batch, length], "int32"), y: tf.tensor(ys, [batch, length], "int32") };
}

/** Mean next-character cross-entropy of the model on (x, y). */
export function charLoss(model: CharRNN, x: Tensor, y: Tensor): Tensor {
  return tidy(() => mean(nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.forward(x).logits })));
}

/** One eager training step: gradients of the loss, then the optimizer's update. Returns the loss. */
export function trainStep(model: CharRNN, optimizer: train.Optimizer, x: Tensor, y: Tensor): Tensor {
  return optimizer.minimize(() => charLoss(model, x, y), true);
}

/**
 * A training step for batches of `seqLength` characters, eager or compiled (one trace for every
 * batch size): the loss's gradients, then the optimizer's update. Returns the loss.
 */
export function makeCharStep(model: CharRNN, optimizer: train.Optimizer, mode: StepMode, seqLength: number): TrainStep {
  return makeTrainStep((x, y) => charLoss(model, x, y), optimizer, mode, { x: [seqLength], y: [seqLength] }, "char-RNN step");
}

/**
 * Sample `length` characters after `prime`: feed the prime through the GRU, then draw each next
 * character from softmax(logits / temperature) and feed it back, carrying the GRU state.
 */
export function sample(model: CharRNN, vocab: Vocabulary, prime: string, length: number, temperature: number, seed: number): string {
  const out: number[] = [];
  let state: Tensor | undefined;
  let input = tf.tensor(vocab.encode(prime), [1, prime.length], "int32");
  for (let i = 0; i < length; i++) {
    const [id, next] = tidy(() => {
      const { logits, state: h } = model.forward(input, state);
      const last = tf.reshape(tf.slice(logits, [0, logits.shape[1]! - 1, 0], [1, 1, vocab.size]), [1, vocab.size]);
      const draw = tf.multinomial(tf.div(last, temperature), 1, seed + i);
      return [draw.dataSync()[0]!, h] as [number, Tensor];
    });
    input.dispose();
    state?.dispose();
    state = next;
    out.push(id);
    input = tf.tensor([id], [1, 1], "int32");
  }
  input.dispose();
  state?.dispose();
  return vocab.decode(out);
}
