/**
 * The examples' compiled training steps: each of the four models (seed, MLP, CNN, char-RNN),
 * trained from the same initial weights on the same batches of varying size, gives the eager
 * step's losses within 1e-5 relative, on the reference and the cpu backend; its program is
 * traced once for every batch size (the sizes it uses are linear in the batch), and fuses kernels.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-cpu";
import { CNN, MLP, MNISTModel } from "../src/mnist/models.js";
import { mnistLoss } from "../src/mnist/loop.js";
import { CharRNN } from "../src/charrnn/model.js";
import { makeCharStep } from "../src/charrnn/train.js";
import { describeTraces, kernelSummary, makeTrainStep, type StepMode, type TrainStep } from "../src/train-step.js";

/** A model's step and a batch of a given size, made fresh (same initial weights) for each mode. */
interface Case {
  readonly name: string;
  make(mode: StepMode): { step: TrainStep; model: tf.Network; optimizer: tf.train.Optimizer };
  batch(size: number, seed: number): [tf.Tensor, tf.Tensor];
  /** Traces after batches of two sizes: 1 when one trace serves every size, 2 when each size needs its own. */
  readonly traces: number;
}

const images = (n: number, seed: number) => tf.randomUniform([n, 784], 0, 1, "float32", seed);
const labels = (n: number, seed: number) => tf.tensor(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10), [n], "int32");

const cases: Case[] = [
  {
    name: "seed (two Dense(10), gradient descent)",
    make: (mode) => {
      tf.setRandomSeed(11); // its initializers draw from the global stream
      const model = new MNISTModel();
      const optimizer = new tf.train.GradientDescentOptimizer({ learningRate: 0.1 });
      const loss = (x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.nn.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) }));
      return { step: makeTrainStep(loss, optimizer, mode, { x: [784], y: [10] }), model, optimizer };
    },
    batch: (n, seed) => [images(n, seed), tf.oneHot(labels(n, seed), 10)],
    traces: 1,
  },
  {
    name: "MLP (Adam)",
    make: (mode) => {
      const model = new MLP(3);
      const optimizer = new tf.train.AdamOptimizer({ learningRate: 0.01 });
      return { step: makeTrainStep(mnistLoss(model), optimizer, mode, { x: [784], y: [] }), model, optimizer };
    },
    batch: (n, seed) => [images(n, seed), labels(n, seed)],
    traces: 1,
  },
  {
    name: "CNN (Adam)",
    make: (mode) => {
      const model = new CNN({ seed: 3, filters: [2, 4] });
      const optimizer = new tf.train.AdamOptimizer({ learningRate: 0.01 });
      return { step: makeTrainStep(mnistLoss(model), optimizer, mode, { x: [784], y: [] }), model, optimizer };
    },
    batch: (n, seed) => [images(n, seed), labels(n, seed)],
    traces: 1,
  },
  {
    name: "char-RNN (Embedding -> GRU -> Dense, Adam)",
    make: (mode) => {
      const model = new CharRNN({ vocabSize: 12, embeddingDim: 4, units: 8, seed: 3 });
      const optimizer = new tf.train.AdamOptimizer({ learningRate: 0.02 });
      return { step: makeCharStep(model, optimizer, mode, 6), model, optimizer };
    },
    batch: (n, seed) => {
      const ids = (s: number) => tf.tensor(Array.from({ length: n * 6 }, (_, i) => (i * 5 + s * 3) % 12), [n, 6], "int32");
      return [ids(seed), ids(seed + 1)];
    },
    traces: 1,
  },
];

/** Batch sizes of a short run: full batches and a smaller last one, then a second pass. */
const SIZES = [4, 4, 3, 4, 3];

function train(c: Case, mode: StepMode): { losses: number[]; step: TrainStep; tracesAfterFirstPass: number; model: tf.Network; optimizer: tf.train.Optimizer } {
  const { step, model, optimizer } = c.make(mode);
  const losses: number[] = [];
  let tracesAfterFirstPass = 0;
  SIZES.forEach((n, i) => {
    const [x, y] = c.batch(n, i + 1);
    const l = step(x, y);
    losses.push(l.item() as number);
    l.dispose();
    x.dispose();
    y.dispose();
    if (i === 2) tracesAfterFirstPass = step.traceCount;
  });
  return { losses, step, tracesAfterFirstPass, model, optimizer };
}

describe.each(["reference", "cpu"])("compiled training steps of the example models on %s", (device) => {
  it.each(cases)("$name: the eager losses within 1e-5 over batches of two sizes; one trace for both sizes; fused kernels; no leak", async (c) => {
    await tf.ready(device);
    await tf.withDevice(device, async () => {
      const eager = train(c, "eager");
      const compiled = train(c, "compiled");
      expect(compiled.losses).toHaveLength(SIZES.length);
      compiled.losses.forEach((v, i) => expect(Math.abs(v - eager.losses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eager.losses[i]!)));
      expect(eager.step.traceCount).toBe(0);
      expect(compiled.tracesAfterFirstPass).toBe(c.traces);
      expect(compiled.step.traceCount).toBe(c.traces); // sizes seen before replay their programs
      expect([...compiled.step.batchSizes].sort()).toEqual([3, 4]);
      expect(describeTraces(compiled.step)).toMatch(c.traces === 1 ? /^traced once for 2 batch sizes \(4, 3\): one program serves every size/ : /^traced 2 times, once per batch size \(4, 3\)/);
      const [x, y] = c.batch(4, 9);
      const program = compiled.step.program(x, y)!;
      expect(new Set(program.kernels.map((kernel) => kernel.device))).toEqual(new Set([device]));
      const k = kernelSummary(program);
      expect(compiled.step.traceCount).toBe(c.traces);
      expect(k.fused).toBeGreaterThan(0);
      expect(k.kernels).toBeLessThan(k.ops);
      expect(k.opsPerFused.every((n) => n >= 2)).toBe(true);
      const before = tf.memory().numTensors;
      compiled.step(x, y).dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      y.dispose();
      for (const r of [eager, compiled]) {
        r.step.dispose();
        r.model.dispose();
        r.optimizer.dispose();
      }
    });
  });
});
