/**
 * The char-RNN run: train the model on the bundled text for a number of steps with Adam, its
 * steps eager or compiled; print the loss as it falls, ms/step, and text sampled at a
 * temperature before and after, and save the loss curve. Called by the examples' command line
 * (`--model charrnn`).
 */
import * as tf from "@eager/core";
import { metrics, tidy, train, uniformStream } from "@eager/core";
import { join } from "node:path";
import { CORPUS } from "./corpus.js";
import { CharRNN } from "./model.js";
import { charLoss, makeCharStep, sample, sampleBatch, Vocabulary } from "./train.js";
import { describeTraces, formatKernelSummary, kernelSummary, type KernelSummary, type StepMode } from "../train-step.js";

/** Options of a char-RNN run. */
export interface CharRNNRunOptions {
  readonly steps?: number;
  readonly batchSize?: number;
  readonly seqLength?: number;
  readonly lr?: number;
  readonly temperature?: number;
  /** Run each training step op by op or as one compiled program (default "compiled"). */
  readonly step?: StepMode;
  /** Print the text sampled before training (default true). */
  readonly sampleBefore?: boolean;
  readonly out: string;
}

/** What a run measured. */
export interface CharRNNReport {
  model: "charrnn";
  device: string;
  step: StepMode;
  steps: number;
  seconds: number;
  msPerStep: number;
  firstLoss: number;
  lastLoss: number;
  sampleBefore: string;
  sampleAfter: string;
  /** Loss on a fixed batch after training. */
  finalLoss: number;
  /** Compiled steps: how many traces, the seconds spent tracing and optimizing, and the program's kernels. */
  compiled?: KernelSummary & { traceCount: number; compileSeconds: number };
}

/** Train and sample; returns the measurements. */
export async function runCharRnn(o: CharRNNRunOptions): Promise<CharRNNReport> {
  const vocab = new Vocabulary(CORPUS);
  const ids = vocab.encode(CORPUS);
  const steps = o.steps ?? 300;
  const batchSize = o.batchSize ?? 16;
  const seqLength = o.seqLength ?? 32;
  const temperature = o.temperature ?? 0.7;
  const mode = o.step ?? "compiled";
  const tag = `char-RNN (${mode})`;
  const model = new CharRNN({ vocabSize: vocab.size, embeddingDim: 16, units: 64, seed: 1 });
  const optimizer = new train.AdamOptimizer({ learningRate: o.lr ?? 0.01 });
  const step = makeCharStep(model, optimizer, mode, seqLength);
  const next = uniformStream(2026);
  const prime = "Alice ";
  console.log(`char-RNN: ${ids.length} characters of "Alice's Adventures in Wonderland" (Lewis Carroll, 1865), vocabulary ${vocab.size}; Embedding(16) -> GRU(64) -> Dense(${vocab.size}); batch ${batchSize} x ${seqLength} characters, ${mode} steps, device "${tf.getDefaultDevice()}"`);
  const sampleBefore = sample(model, vocab, prime, 80, temperature, 1);
  if (o.sampleBefore ?? true) console.log(`char-RNN sample before training (temperature ${temperature}): ${JSON.stringify(prime + sampleBefore)}`);
  const curve = new metrics.LossCurve({ title: "char-RNN (GRU) on Alice", xLabel: "step", yLabel: "cross-entropy (nats/char)" });
  const every = Math.max(1, Math.floor(steps / 10));
  let firstLoss = NaN;
  let lastLoss = NaN;
  let window = 0;
  let windowCount = 0;
  const start = performance.now();
  for (let s = 1; s <= steps; s++) {
    const { x, y } = sampleBatch(ids, batchSize, seqLength, next);
    const loss = step(x, y);
    const v = (await loss.data())[0]!;
    loss.dispose();
    x.dispose();
    y.dispose();
    if (s === 1) firstLoss = v;
    window += v;
    windowCount++;
    if (s % every === 0 || s === steps) {
      lastLoss = window / windowCount;
      curve.add("train loss", s, lastLoss);
      console.log(`${tag} step ${s}/${steps}: loss ${lastLoss.toFixed(3)} (mean of the last ${windowCount} steps), ${((performance.now() - start) / s).toFixed(1)} ms/step`);
      window = 0;
      windowCount = 0;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  let compiled: CharRNNReport["compiled"];
  if (mode === "compiled") {
    const probe = sampleBatch(ids, batchSize, seqLength, uniformStream(7));
    const p = step.program(probe.x, probe.y)!;
    probe.x.dispose();
    probe.y.dispose();
    compiled = { traceCount: step.traceCount, compileSeconds: p.compileSeconds, ...kernelSummary(p) };
    console.log(`${tag}: step ${describeTraces(step)} (${p.compileSeconds.toFixed(2)}s to trace and optimize); program: ${formatKernelSummary(compiled)}`);
  }
  step.dispose();
  // Held-out check of the fit: the loss on one fixed batch after training.
  const check = sampleBatch(ids, batchSize, seqLength, uniformStream(7));
  const finalLoss = tidy(() => charLoss(model, check.x, check.y).dataSync()[0]!);
  check.x.dispose();
  check.y.dispose();
  const sampleAfter = sample(model, vocab, prime, 200, temperature, 1);
  console.log(`${tag}: ${steps} steps in ${seconds.toFixed(1)}s (${((1000 * seconds) / steps).toFixed(1)} ms/step); loss ${firstLoss.toFixed(3)} at step 1 -> ${lastLoss.toFixed(3)} (uniform guess: ${Math.log(vocab.size).toFixed(3)}); loss on a fixed batch ${finalLoss.toFixed(3)}`);
  console.log(`${tag} sample after training (temperature ${temperature}): ${JSON.stringify(prime + sampleAfter)}`);
  const svg = await curve.save(join(o.out, `charrnn-${mode}-loss.svg`));
  console.log(`${tag}: loss curve ${svg}`);
  model.dispose();
  optimizer.dispose();
  return { model: "charrnn", device: tf.getDefaultDevice(), step: mode, steps, seconds, msPerStep: (1000 * seconds) / steps, firstLoss, lastLoss, sampleBefore, sampleAfter, finalLoss, compiled };
}

/**
 * Train twice from the same initial weights on the same batches, eagerly and compiled, and print
 * ms/step of each, the speedup, and whether the losses agree (they should, to rounding).
 */
export async function compareCharRnnSteps(o: Omit<CharRNNRunOptions, "step" | "sampleBefore">): Promise<[CharRNNReport, CharRNNReport]> {
  const eager = await runCharRnn({ ...o, step: "eager" });
  const compiled = await runCharRnn({ ...o, step: "compiled", sampleBefore: false });
  const rel = Math.abs(compiled.finalLoss - eager.finalLoss) / Math.abs(eager.finalLoss);
  console.log(
    `char-RNN: eager ${eager.msPerStep.toFixed(1)} ms/step, compiled ${compiled.msPerStep.toFixed(1)} ms/step (${(eager.msPerStep / compiled.msPerStep).toFixed(2)}x); ` +
      `loss on the fixed batch ${eager.finalLoss.toFixed(4)} eager, ${compiled.finalLoss.toFixed(4)} compiled (relative difference ${rel.toExponential(1)})`,
  );
  return [eager, compiled];
}
