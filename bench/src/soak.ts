/**
 * Soak: trains a small MLP (20 -> 64 relu -> 10, batch 32, Adam, softmax cross-entropy) for
 * many steps on each backend and reports live tensors, live bytes and the process RSS over
 * time; then a careless loop (the loss and gradients never disposed), synchronous and
 * yielding, shows how leaks are bounded. Not a timed unit test: run it by hand.
 *
 *   pnpm --filter @eager/bench soak -- --steps 10000 --backends reference,cpu,webgpu,webgl
 *   (--gpu-steps N caps the software GPU backends; --careless-steps N caps the careless loops,
 *    --careless-backends <list> chooses where they run (default cpu); --json <file> writes the figures)
 */
import { writeFileSync } from "node:fs";
import * as tf from "@eager/core";
import { layers, losses, train } from "@eager/core";

interface Sample {
  step: number;
  tensors: number;
  bytes: number;
  rssMiB: number;
  msPerStep: number;
}
interface BackendResult {
  backend: string;
  steps: number;
  samples: Sample[];
  finalLoss: number;
  careless?: { sync: string; yielding: string };
  skipped?: string;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const steps = Number(option("steps", "10000"));
const gpuSteps = Number(option("gpu-steps", String(steps)));
const carelessSteps = Number(option("careless-steps", "100000"));
const backends = option("backends", "reference,cpu,webgpu,webgl").split(",");
const jsonOut = option("json", "");
const carelessBackends = option("careless-backends", "cpu").split(",");
const MiB = 1024 * 1024;
const rss = () => process.memoryUsage().rss / MiB;

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Make `name` ready, or say why it cannot run here. */
async function start(name: string): Promise<string | null> {
  try {
    if (name === "cpu") await import("@eager/backend-cpu");
    if (name === "webgpu") await import(new URL("../../backends/webgpu/src/index.ts", import.meta.url).href);
    if (name === "webgl") {
      const specifier = "@eager/backend-webgl";
      await import(specifier);
      await tf.ready(name);
      const { getBackend } = await import("@eager/core/backend");
      const info = getBackend("webgl").capabilities.info ?? {};
      if (info["webgl"] !== true) return `gpu.js found no WebGL context here (it would run in "${String(info["mode"])}" mode)`;
    }
    await tf.ready(name);
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0]!;
  }
}

function setup(device: string) {
  return tf.withDevice(device, () => {
    const model = new layers.Sequential([new layers.Dense({ units: 64, activation: "relu" }), new layers.Dense(10)]);
    const x = tf.tensor(rand(32 * 20, 1), [32, 20]);
    const labels = tf.oneHot(tf.tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 10), [32], "int32"), 10);
    const opt = new train.AdamOptimizer({ learningRate: 0.01 });
    const loss = () => losses.softmaxCrossEntropyWithLogits({ labels, logits: model.apply(x) });
    const dispose = () => {
      model.dispose();
      opt.dispose();
      x.dispose();
      labels.dispose();
    };
    return { model, opt, loss, dispose };
  });
}

async function soak(device: string, n: number): Promise<BackendResult> {
  const { opt, loss, dispose } = setup(device);
  const samples: Sample[] = [];
  const every = Math.max(1, Math.floor(n / 10));
  let finalLoss = NaN;
  let t0 = performance.now();
  let last = 0;
  for (let step = 1; step <= n; step++) {
    const l = tf.withDevice(device, () => opt.minimize(loss, true));
    if (step % every === 0 || step === 1) {
      finalLoss = (await l.data())[0]!; // waits for the device
      const m = tf.memory();
      const now = performance.now();
      samples.push({ step, tensors: m.numTensors, bytes: m.numBytes, rssMiB: Math.round(rss()), msPerStep: +((now - t0) / Math.max(1, step - last)).toFixed(3) });
      t0 = now;
      last = step;
    }
    l.dispose();
  }
  dispose();
  return { backend: device, steps: n, samples, finalLoss };
}

/** The careless loop: loss and gradients never disposed. Synchronous until the limit, then yielding. */
async function careless(device: string, n: number): Promise<{ sync: string; yielding: string }> {
  const { opt, loss, dispose } = setup(device);
  const step = () =>
    tf.withDevice(device, () => {
      const [, grads] = tf.implicitValueAndGradients(loss)();
      opt.applyGradients(grads);
    });
  const base = tf.memory().numTensors;
  const t0 = performance.now();
  let sync: string;
  let i = 0;
  try {
    for (; i < n; i++) step();
    sync = `ran ${i} steps, ${tf.memory().numTensors - base} tensors leaked, RSS ${Math.round(rss())} MiB`;
  } catch (e) {
    const name = (e as Error).name;
    sync = `stopped at step ${i} after ${((performance.now() - t0) / 1000).toFixed(1)} s with ${name} (${tf.memory().numTensors - base} live tensors, RSS ${Math.round(rss())} MiB): "${(e as Error).message.slice(0, 120)}..."`;
  }
  // Let the finalizer reclaim what the synchronous loop lost, then loop again, yielding each step.
  for (let k = 0; k < 20 && tf.memory().numTensors - base > 1000; k++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const afterGc = tf.memory().numTensors - base;
  let peak = 0;
  const m = Math.min(n, 5_000);
  for (let j = 0; j < m; j++) {
    step();
    if (j % 10 === 0) await new Promise((r) => setImmediate(r));
    peak = Math.max(peak, tf.memory().numTensors - base);
  }
  dispose();
  return { sync, yielding: `after GC ${afterGc} leaked tensors were left; then ${m} steps yielding every 10: at most ${peak} leaked tensors alive, RSS ${Math.round(rss())} MiB` };
}

const results: BackendResult[] = [];
for (const name of backends) {
  const why = await start(name);
  if (why !== null) {
    console.log(`\n${name}: skipped: ${why}`);
    results.push({ backend: name, steps: 0, samples: [], finalLoss: NaN, skipped: why });
    continue;
  }
  const n = name === "webgpu" || name === "webgl" ? gpuSteps : steps;
  console.log(`\n${name}: ${n} training steps`);
  const r = await soak(name, n);
  console.log("    step  tensors      bytes  RSS MiB  ms/step");
  for (const s of r.samples) console.log(`${String(s.step).padStart(8)} ${String(s.tensors).padStart(8)} ${String(s.bytes).padStart(10)} ${String(s.rssMiB).padStart(8)} ${String(s.msPerStep).padStart(8)}`);
  console.log(`  final loss ${r.finalLoss.toFixed(4)}`);
  results.push(r);
}
// The careless loops last: the tensors they lose stay counted until the garbage collector runs.
for (const r of results) {
  if (r.skipped || !carelessBackends.includes(r.backend)) continue;
  r.careless = await careless(r.backend, carelessSteps);
  console.log(`\n${r.backend}, careless loop (loss and gradients never disposed)`);
  console.log(`  synchronous: ${r.careless.sync}`);
  console.log(`  yielding:    ${r.careless.yielding}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2));
process.exit(0);
