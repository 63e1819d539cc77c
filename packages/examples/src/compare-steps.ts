/**
 * Eager against compiled training steps of the four example models (seed, MLP, CNN, char-RNN),
 * timed interleaved in one process so that both see the same machine load: two copies of each
 * model from the same initial weights take the same batches, in rounds of `--steps` steps each
 * way (alternating which goes first). Prints the median ms/step of each, the ratio, and the
 * largest relative difference between their losses. Usage: compare-steps [--rounds N] [--steps N]
 */
import * as tf from "@eager/core";
import "@eager/backend-cpu";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadMnist, type MnistSplit } from "./mnist/data.js";
import { CNN, MLP, MNISTModel } from "./mnist/models.js";
import { mnistLoss } from "./mnist/loop.js";
import { CharRNN } from "./charrnn/model.js";
import { CORPUS } from "./charrnn/corpus.js";
import { makeCharStep, sampleBatch, Vocabulary } from "./charrnn/train.js";
import { formatKernelSummary, kernelSummary, makeTrainStep, type KernelSummary, type StepMode, type TrainStep } from "./train-step.js";

/** One model's two steps and its batches. */
interface Subject {
  readonly name: string;
  readonly batch: string;
  step(mode: StepMode): TrainStep;
  /** The i-th batch (the same for both modes). */
  data(i: number): [tf.Tensor, tf.Tensor];
}

/** What was measured for one model. */
export interface StepComparison {
  model: string;
  batch: string;
  eagerMsPerStep: number;
  compiledMsPerStep: number;
  speedup: number;
  maxRelativeLossDifference: number;
  traceCount: number;
  kernels: KernelSummary;
}

function mnistBatch(s: MnistSplit, size: number, i: number, oneHot: boolean): [tf.Tensor, tf.Tensor] {
  const start = (i * size) % (s.count - size);
  const x = tf.tensor(s.images.subarray(start * 784, (start + size) * 784), [size, 784], "float32");
  const y = tf.tensor(s.labels.subarray(start, start + size), [size], "int32");
  if (!oneHot) return [x, y];
  const h = tf.oneHot(y, 10);
  y.dispose();
  return [x, h];
}

function subjects(train: MnistSplit): Subject[] {
  const vocab = new Vocabulary(CORPUS);
  const ids = vocab.encode(CORPUS);
  return [
    {
      name: "seed",
      batch: "100",
      step: (mode) => {
        tf.setRandomSeed(1);
        const model = new MNISTModel();
        tf.tidy(() => model.apply(tf.zeros([1, 784]))); // build now: its initializers draw from the global stream
        const loss = (x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.nn.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) }));
        return makeTrainStep(loss, new tf.train.GradientDescentOptimizer({ learningRate: 0.1 }), mode, { x: [784], y: [10] });
      },
      data: (i) => mnistBatch(train, 100, i, true),
    },
    {
      name: "mlp",
      batch: "128",
      step: (mode) => {
        const model = new MLP();
        return makeTrainStep(mnistLoss(model), new tf.train.AdamOptimizer({ learningRate: 1e-3 }), mode, { x: [784], y: [] });
      },
      data: (i) => mnistBatch(train, 128, i, false),
    },
    {
      name: "cnn",
      batch: "64",
      step: (mode) => {
        const model = new CNN();
        return makeTrainStep(mnistLoss(model), new tf.train.AdamOptimizer({ learningRate: 1e-3 }), mode, { x: [784], y: [] });
      },
      data: (i) => mnistBatch(train, 64, i, false),
    },
    {
      name: "charrnn",
      batch: "16 x 32",
      step: (mode) => makeCharStep(new CharRNN({ vocabSize: vocab.size, embeddingDim: 16, units: 64, seed: 1 }), new tf.train.AdamOptimizer({ learningRate: 0.01 }), mode, 32),
      data: (i) => {
        const b = sampleBatch(ids, 16, 32, tf.uniformStream(1000 + i));
        return [b.x, b.y];
      },
    },
  ];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Time `subject`'s eager and compiled steps, interleaved. */
export function compare(subject: Subject, rounds: number, steps: number): StepComparison {
  const run = { eager: subject.step("eager"), compiled: subject.step("compiled") };
  const next = { eager: 0, compiled: 0 };
  const losses = { eager: [] as number[], compiled: [] as number[] };
  const chunk = (mode: StepMode, n: number): number => {
    const start = performance.now();
    for (let k = 0; k < n; k++) {
      const [x, y] = subject.data(next[mode]++);
      const l = run[mode](x, y);
      losses[mode].push(l.dataSync()[0]!);
      l.dispose();
      x.dispose();
      y.dispose();
    }
    return (performance.now() - start) / n;
  };
  // Warm up both (the compiled step traces here).
  chunk("eager", 3);
  chunk("compiled", 3);
  const ms = { eager: [] as number[], compiled: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const order: StepMode[] = r % 2 === 0 ? ["eager", "compiled"] : ["compiled", "eager"];
    for (const mode of order) ms[mode].push(chunk(mode, steps));
  }
  const maxRel = Math.max(...losses.eager.map((e, i) => Math.abs(losses.compiled[i]! - e) / Math.abs(e)));
  const [x, y] = subject.data(0);
  const kernels = kernelSummary(run.compiled.program(x, y)!);
  x.dispose();
  y.dispose();
  const out: StepComparison = {
    model: subject.name,
    batch: subject.batch,
    eagerMsPerStep: median(ms.eager),
    compiledMsPerStep: median(ms.compiled),
    speedup: median(ms.eager) / median(ms.compiled),
    maxRelativeLossDifference: maxRel,
    traceCount: run.compiled.traceCount,
    kernels,
  };
  run.eager.dispose();
  run.compiled.dispose();
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string, d: number) => {
    const i = args.indexOf(k);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const rounds = opt("--rounds", 7);
  const steps = opt("--steps", 10);
  const only = args.includes("--model") ? args[args.indexOf("--model") + 1] : undefined;
  await tf.ready(tf.getDefaultDevice());
  const { train } = await loadMnist({ limit: 12800 });
  const results: StepComparison[] = [];
  console.log(`eager vs compiled training steps on "${tf.getDefaultDevice()}": ${rounds} rounds of ${steps} steps each way, interleaved; median ms/step`);
  for (const s of subjects(train)) {
    if (only && s.name !== only) continue;
    const r = compare(s, rounds, steps);
    results.push(r);
    console.log(
      `${r.model.padEnd(8)} batch ${r.batch.padEnd(8)} eager ${r.eagerMsPerStep.toFixed(1).padStart(6)} ms/step  compiled ${r.compiledMsPerStep.toFixed(1).padStart(6)} ms/step  ${r.speedup.toFixed(2)}x  ` +
        `losses agree to ${r.maxRelativeLossDifference.toExponential(1)} relative; traced ${r.traceCount}x; ${formatKernelSummary(r.kernels)}`,
    );
  }
  await mkdir("out", { recursive: true });
  await writeFile(join("out", "compare-steps.json"), JSON.stringify(results, null, 2) + "\n");
}

main().then(
  () => process.exit(),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
