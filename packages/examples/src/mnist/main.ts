/**
 * Train MNIST models end to end on the default device: the original eager example's model
 * with gradient descent (its loop kept as written), an MLP with Adam and a small CNN with
 * Adam; then save a checkpoint, restore it into a fresh model and check the test accuracy.
 * The CNN is also exported as a saved model and as ONNX, loaded back and checked the same way.
 * Usage: pnpm --filter @eager/examples start -- --model all --epochs 3 --limit 5000
 */
import * as tf from "@eager/core";
import { mean, nn, oneHot, train, metrics, zeros, type Tensor, layers } from "@eager/core";
import { join } from "node:path";
import { loadMnist, type MnistSplit } from "./data.js";
import { batches, evaluate, mnistLoss, splitTensors, trainEpoch } from "./loop.js";
import { describeTraces, formatKernelSummary, kernelSummary, makeTrainStep, parseStepMode, type StepMode, type TrainStep } from "../train-step.js";
import { augmentedBatches, augmentThroughput } from "./augment-pipeline.js";
import { CNN, MLP, MNISTModel } from "./models.js";
import { compareCharRnnSteps, runCharRnn } from "../charrnn/run.js";
import { exportAndCheck } from "./export.js";

type ModelName = "seed" | "mlp" | "cnn";
interface Options {
  model: ModelName | "charrnn" | "all";
  steps?: number;
  epochs?: number;
  batchSize?: number;
  device?: string;
  data?: string;
  limit?: number;
  out: string;
  lr?: number;
  profile: boolean;
  augment: boolean;
  workers: number;
  /** Unset: MNIST steps compiled, and `--model all` runs the char-RNN both ways. */
  step?: StepMode;
}

const HELP = `Usage: start [--model seed|mlp|cnn|charrnn|all] [--epochs N] [--steps N] [--batch-size N] [--lr X]
             [--device cpu|webgpu|webgl|reference] [--data DIR] [--limit N] [--out DIR]
             [--augment] [--workers N] [--step eager|compiled]
             (--step: run each training step op by op, or as one compiled program; default compiled,
              and --model all then runs the char-RNN both ways and compares them)
             [--profile]  (profile each model's training: a table of ops by time, and
                           OUT/mnist-<model>-trace.json for chrome://tracing or Perfetto)`;

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { model: "all", out: "out", profile: false, augment: false, workers: 2 };
  const num = (k: string, v: string | undefined, int = true): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw new Error(`${k} needs a positive ${int ? "integer" : "number"}, got ${v}\n${HELP}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i]!.split("=", 2) as [string, string | undefined];
    const v = () => inline ?? argv[++i];
    switch (k) {
      case "--": break;
      case "--model": {
        const m = v();
        if (!["seed", "mlp", "cnn", "charrnn", "all"].includes(m!)) throw new Error(`--model must be seed, mlp, cnn, charrnn or all, got ${m}\n${HELP}`);
        o.model = m as Options["model"];
        break;
      }
      case "--epochs": o.epochs = num(k, v()); break;
      case "--steps": o.steps = num(k, v()); break;
      case "--batch-size": o.batchSize = num(k, v()); break;
      case "--lr": o.lr = num(k, v(), false); break;
      case "--limit": o.limit = num(k, v()); break;
      case "--device": o.device = v(); break;
      case "--data": o.data = v(); break;
      case "--out": o.out = v()!; break;
      case "--profile": o.profile = true; break;
      case "--augment": o.augment = true; break;
      case "--workers": o.workers = num(k, v()); break;
      case "--step": o.step = parseStepMode(v()); break;
      case "--help": case "-h": console.log(HELP); process.exit(0);
      default: throw new Error(`unknown option ${k}\n${HELP}`);
    }
  }
  return o;
}

async function chooseDevice(device: string | undefined): Promise<string> {
  try {
    await import("@eager/backend-cpu");
  } catch (e) {
    console.error(`(the cpu backend is not available: ${(e as Error).message.split("\n")[0]}; using the reference backend)`);
  }
  if (device === "webgpu" || device === "webgl") {
    const pkg = `@eager/backend-${device}`;
    try {
      await import(pkg);
    } catch (e) {
      throw new Error(`--device ${device}: cannot load ${pkg} (${(e as Error).message.split("\n")[0]})`);
    }
  }
  if (device) tf.setDefaultDevice(device);
  const name = tf.getDefaultDevice();
  await tf.ready(name);
  return name;
}

interface Report {
  model: ModelName;
  device: string;
  step: StepMode;
  epochs: { seconds: number; steps: number; trainLoss: number; testAccuracy: number; testLoss: number }[];
  testAccuracy: number;
  restoredAccuracy: number;
  checkpoint: string;
  /** Compiled steps: traces made over the whole run, compile seconds, and the program's kernels. */
  compiled?: { traceCount: number; compileSeconds: number; ops: number; kernels: number; fused: number; opsPerFused: number[] };
}

type RunResult = [layers.Layer, train.Optimizer, Report["epochs"], Report["compiled"]];

/** After a run of `step` on batches of `batchSize`: print the compiled program's trace count and kernels. */
function describeStep(name: ModelName, step: TrainStep, batchSize: number, labelShape: number[], labelDtype: "int32" | "float32"): Report["compiled"] {
  if (step.mode === "eager") return undefined;
  const x = zeros([batchSize, 784]);
  const y = zeros([batchSize, ...labelShape], labelDtype);
  const p = step.program(x, y)!;
  x.dispose();
  y.dispose();
  const k = kernelSummary(p);
  console.log(`${name}: compiled step ${describeTraces(step)} (${p.compileSeconds.toFixed(2)}s to trace and optimize); program: ${formatKernelSummary(k)}`);
  return { traceCount: step.traceCount, compileSeconds: p.compileSeconds, ...k };
}

/** (a) The original example: its model, gradient descent, and its loop (`for await` over batches, one step each). */
async function runSeed(trainSplit: MnistSplit, testSplit: MnistSplit, o: Options, curve: metrics.LossCurve): Promise<RunResult> {
  const model = new MNISTModel();
  const optimizer = new train.GradientDescentOptimizer({ learningRate: o.lr ?? 0.1 });
  const loss = (x: Tensor, y: Tensor) => mean(nn.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) }));
  const mode = o.step ?? "compiled";
  const step = makeTrainStep(loss, optimizer, mode, { x: [784], y: [10] }, "seed step");
  const { images, labels } = splitTensors(trainSplit);
  const batchSize = o.batchSize ?? 100;
  const epochs: Report["epochs"] = [];
  for (let e = 0; e < (o.epochs ?? 2); e++) {
    const dataset = batches(images, labels, batchSize, 100 + e).map(([x, y]) => [x, oneHot(y, 10)] as [Tensor, Tensor]);
    const start = performance.now();
    let n = 0;
    for await (const [x, y] of dataset) {
      const l = step(x, y);
      if (++n % 50 === 0) curve.add("seed: train loss", e * Math.ceil(trainSplit.count / batchSize) + n, (await l.data())[0]!);
      l.dispose();
      x.dispose();
      y.dispose();
    }
    const seconds = (performance.now() - start) / 1000;
    const ev = await evaluate(model, testSplit);
    epochs.push({ seconds, steps: n, trainLoss: NaN, testAccuracy: ev.accuracy, testLoss: ev.loss });
    console.log(`seed epoch ${e + 1}: ${seconds.toFixed(1)}s (${((1000 * seconds) / n).toFixed(2)} ms/step, ${mode}), ${n} steps, test accuracy ${(100 * ev.accuracy).toFixed(2)}%`);
  }
  images.dispose();
  labels.dispose();
  const compiled = describeStep("seed", step, batchSize, [10], "float32");
  step.dispose();
  return [model, optimizer, epochs, compiled];
}

/** (b, c) MLP or CNN with Adam, using the shared training loop. */
async function runAdam(kind: "mlp" | "cnn", trainSplit: MnistSplit, testSplit: MnistSplit, o: Options, curve: metrics.LossCurve): Promise<RunResult> {
  const model = kind === "mlp" ? new MLP() : new CNN();
  const { images, labels } = splitTensors(trainSplit);
  const batchSize = o.batchSize ?? (kind === "mlp" ? 128 : 64);
  const steps = Math.ceil(trainSplit.count / batchSize);
  const nEpochs = o.epochs ?? 6;
  // Adam with the learning rate decaying along a cosine to 5% of its start over the run.
  const learningRate = train.cosineDecay({ initialLearningRate: o.lr ?? 1e-3, decaySteps: nEpochs * steps, alpha: 0.05 });
  const optimizer = new train.AdamOptimizer({ learningRate });
  const mode = o.step ?? "compiled";
  const step = makeTrainStep(mnistLoss(model), optimizer, mode, { x: [784], y: [] }, `${kind} step`);
  const epochs: Report["epochs"] = [];
  for (let e = 0; e < nEpochs; e++) {
    const epochData = o.augment ? augmentedBatches(trainSplit, batchSize, 200 + e, o.workers) : batches(images, labels, batchSize, 200 + e);
    const r = await trainEpoch(model, step, epochData, {
      steps, label: `${kind} ${e + 1}/${nEpochs}`, curve, curveName: `${kind}: train loss`, stepOffset: e * steps,
    });
    const ev = await evaluate(model, testSplit);
    curve.add(`${kind}: test loss`, (e + 1) * steps, ev.loss);
    epochs.push({ seconds: r.seconds, steps: r.steps, trainLoss: r.meanLoss, testAccuracy: ev.accuracy, testLoss: ev.loss });
    console.log(`${kind} epoch ${e + 1}: ${r.seconds.toFixed(1)}s (${((1000 * r.seconds) / r.steps).toFixed(1)} ms/step, ${mode}, ${Math.round(trainSplit.count / r.seconds)} examples/s${o.augment ? `, augmented on ${o.workers} worker${o.workers > 1 ? "s" : ""}` : ""}), train loss ${r.meanLoss.toFixed(4)}, test accuracy ${(100 * ev.accuracy).toFixed(2)}%`);
  }
  images.dispose();
  labels.dispose();
  const compiled = describeStep(kind, step, batchSize, [], "int32");
  step.dispose();
  return [model, optimizer, epochs, compiled];
}

/** Run `run` under the profiler: print the ops by time and write the trace for chrome://tracing or Perfetto. */
async function profiled<R>(name: ModelName, run: () => Promise<R>, out: string): Promise<R> {
  const p = await tf.profile(run);
  const { writeFile, mkdir } = await import("node:fs/promises");
  await mkdir(out, { recursive: true });
  const path = join(out, `mnist-${name}-trace.json`);
  await writeFile(path, p.toChromeTrace());
  const userOps = p.ops.filter((r) => r.depth === 0).length;
  console.log(`\n${name}: profile of ${userOps} ops (${(p.wallMs / 1000).toFixed(1)}s wall, ${(p.newBytes / 2 ** 20).toFixed(1)} MiB allocated); trace ${path}`);
  console.log(p.table(15));
  console.log("by device: " + Object.entries(p.byDevice).map(([d, s]) => `${d} ${s.count} ops ${s.totalMs.toFixed(1)} ms`).join("; ") + "\n");
  return p.result;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const device = await chooseDevice(o.device);
  if (o.model === "charrnn") {
    await runCharRnn({ steps: o.steps, batchSize: o.batchSize, lr: o.lr, out: o.out, step: o.step });
    return;
  }
  const t0 = performance.now();
  const { train: trainSplit, test: testSplit } = await loadMnist({ dir: o.data, limit: o.limit });
  console.log(`MNIST: ${trainSplit.count} training and ${testSplit.count} test images (read in ${((performance.now() - t0) / 1000).toFixed(1)}s); device "${device}"`);
  if (o.augment) {
    // The augmentation pipeline alone (shuffle, batch, shift and rotate in the pool), timed with 1 and 2 workers.
    const probe = { count: trainSplit.count, batchSize: o.batchSize ?? 64 };
    for (const w of [1, 2]) console.log(`augment pipeline: ${Math.round(await augmentThroughput(trainSplit, w, probe))} examples/s with ${w} worker${w > 1 ? "s" : ""} (${probe.count} examples, batches of ${probe.batchSize})`);
  }
  const names: ModelName[] = o.model === "all" ? ["seed", "mlp", "cnn"] : [o.model];
  const reports: Report[] = [];
  let exportsOk = true;
  for (const name of names) {
    const curve = new metrics.LossCurve({ title: `MNIST ${name}`, xLabel: "step", yLabel: "cross-entropy" });
    const run = () => (name === "seed" ? runSeed(trainSplit, testSplit, o, curve) : runAdam(name, trainSplit, testSplit, o, curve));
    const [model, optimizer, epochs, compiled] = o.profile ? await profiled(name, run, o.out) : await run();
    const testAccuracy = epochs[epochs.length - 1]!.testAccuracy;
    const path = join(o.out, `mnist-${name}.safetensors`);
    await new train.Checkpoint({ model, optimizer }).save(path);
    // Restore into a fresh, unbuilt model: values wait until its variables are created.
    const fresh = name === "seed" ? new MNISTModel() : name === "mlp" ? new MLP(99) : new CNN({ seed: 99 });
    const freshOpt = name === "seed" ? new train.GradientDescentOptimizer({ learningRate: 0.1 }) : new train.AdamOptimizer({ learningRate: 1e-3 });
    await new train.Checkpoint({ model: fresh, optimizer: freshOpt }).restore(path);
    const restored = (await evaluate(fresh, testSplit)).accuracy;
    console.log(`${name}: checkpoint ${path}; restored model test accuracy ${(100 * restored).toFixed(2)}% (${restored === testAccuracy ? "same" : "DIFFERENT"}), optimizer step ${freshOpt.iterations}`);
    const svg = await curve.save(join(o.out, `mnist-${name}-loss.svg`));
    console.log(`${name}: loss curve ${svg}`);
    reports.push({ model: name, device, step: o.step ?? "compiled", epochs, testAccuracy, restoredAccuracy: restored, checkpoint: path, compiled });
    if (name === "cnn") exportsOk = (await exportAndCheck(name, model as CNN, testSplit, o.out)) && exportsOk;
    model.dispose();
    fresh.dispose();
    optimizer.dispose();
    freshOpt.dispose();
  }
  const { writeFile, mkdir } = await import("node:fs/promises");
  await mkdir(o.out, { recursive: true });
  await writeFile(join(o.out, "mnist-results.json"), JSON.stringify(reports, null, 2) + "\n");
  console.log("\nmodel  step      epochs  s/epoch  test accuracy  restored");
  for (const r of reports) {
    const avg = r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length;
    console.log(`${r.model.padEnd(6)} ${r.step.padEnd(8)} ${String(r.epochs.length).padStart(6)} ${avg.toFixed(1).padStart(8)}  ${(100 * r.testAccuracy).toFixed(2).padStart(12)}%  ${(100 * r.restoredAccuracy).toFixed(2)}%`);
  }
  if (reports.some((r) => r.restoredAccuracy !== r.testAccuracy) || !exportsOk) process.exitCode = 1;
  // The character-level language model, a short run (its own command: --model charrnn).
  // The character-level language model, short runs (its own command: --model charrnn): with no
  // --step, eager and compiled from the same initial weights and batches, compared.
  if (o.model === "all") {
    if (o.step) await runCharRnn({ steps: o.steps, out: o.out, step: o.step });
    else await compareCharRnnSteps({ steps: o.steps, out: o.out });
  }
}

main().then(
  () => process.exit(),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
