/**
 * Compiled against eager, and against jax-js `jit`, in one process run: a*b+c on 16M float32
 * elements and the MLP 784-128-10 training step (batch 128, softmax cross-entropy, SGD), on
 * the cpu backend. Every iteration reads its result to the host. The first compiled call
 * (trace + passes + kernel build + one run) and the trace-and-passes time are reported apart;
 * steady state is the median of the runs. Both results are checked against eager first.
 * Results go to stdout and results/compile.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as tf from "@eager/core";
import "@eager/backend-cpu";
import { init, defaultDevice, jit, nn, numpy as np, valueAndGrad, tree } from "@jax-js/jax";
import { oneHot, uniform } from "./data.js";

type Timed = { firstMs: number; medianMs: number };

async function time(run: () => Promise<unknown>, iterations: number): Promise<Timed> {
  let t = performance.now();
  await run();
  const firstMs = performance.now() - t;
  await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { firstMs, medianMs: samples[samples.length >> 1]! };
}

const quick = process.argv.includes("--quick");
const N = quick ? 1 << 20 : 1 << 24;
const ITER = quick ? 3 : 10;

async function main(): Promise<void> {
  await tf.ready();
  const device = tf.getDefaultDevice();
  const out: Record<string, unknown> = { device, elements: N };

  // --- a*b+c -----------------------------------------------------------------------------
  const [a, b, c] = [1, 2, 3].map((s) => tf.tensor(uniform([N], s).data, [N]));
  const eagerMulAdd = async () => {
    const p = tf.mul(a!, b!);
    const y = tf.add(p, c!);
    p.dispose();
    await y.data();
    y.dispose();
  };
  const mulAdd = tf.compile((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.add(tf.mul(x, y), z));
  const compiledMulAdd = async () => {
    const y = mulAdd(a!, b!, c!);
    await y.data();
    y.dispose();
  };
  await tf.ready();
  const e1 = await time(eagerMulAdd, ITER);
  const c1 = await time(compiledMulAdd, ITER);
  const kernelsMulAdd = mulAdd.concrete(a!, b!, c!).kernels;

  // --- MLP step -------------------------------------------------------------------------
  const BATCH = 128;
  const spec = {
    w1: uniform([784, 128], 31, -Math.sqrt(6 / 912), Math.sqrt(6 / 912)),
    w2: uniform([128, 10], 32, -Math.sqrt(6 / 138), Math.sqrt(6 / 138)),
    x: uniform([BATCH, 784], 33, 0, 1),
    labels: oneHot(BATCH, 10, 34),
  };
  const makeModel = () => {
    const w1 = tf.variable(tf.tensor(spec.w1.data, spec.w1.shape));
    const b1 = tf.variable(tf.zeros([128]));
    const w2 = tf.variable(tf.tensor(spec.w2.data, spec.w2.shape));
    const b2 = tf.variable(tf.zeros([10]));
    const x = tf.tensor(spec.x.data, spec.x.shape);
    const labels = tf.tensor(spec.labels.data, spec.labels.shape);
    const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.1 });
    const loss = () => {
      const h = tf.relu(tf.add(tf.matmul(x, w1), b1));
      const z = tf.add(tf.matmul(h, w2), b2);
      return tf.div(tf.sum(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(labels, z), 1))), BATCH);
    };
    const step = () => {
      const [l, grads] = tf.implicitValueAndGradients(loss)();
      opt.applyGradients(grads);
      for (const [g] of grads) g.dispose();
      return l;
    };
    return step;
  };
  const eagerStep = makeModel();
  const compiledStep = tf.compile(makeModel());
  const runStep = (f: () => tf.Tensor) => async () => {
    const l = f();
    await l.data();
    l.dispose();
  };
  // Check before timing: the first two compiled steps give the eager losses (same initial weights).
  let mlpFirstCallMs = 0;
  for (let i = 0; i < 2; i++) {
    const le = tf.tidy(eagerStep);
    const started = performance.now();
    const lc = compiledStep();
    await lc.data();
    if (i === 0) mlpFirstCallMs = performance.now() - started;
    const [ve, vc] = [(await le.data())[0]!, (await lc.data())[0]!];
    if (!(Math.abs(ve - vc) <= 1e-5 * Math.abs(ve))) throw new Error(`compiled MLP step ${i}: loss ${vc}, eager ${ve}`);
    le.dispose();
    lc.dispose();
  }
  const want = tf.add(tf.mul(a!, b!), c!);
  const got = mulAdd(a!, b!, c!);
  const [wv, gv] = [await want.data(), await got.data()];
  for (let i = 0; i < wv.length; i += 4099) if (wv[i] !== gv[i]) throw new Error(`compiled a*b+c differs at ${i}: ${gv[i]} vs ${wv[i]}`);
  want.dispose();
  got.dispose();
  const e2 = await time(runStep(() => tf.tidy(eagerStep)), ITER * 3);
  const c2 = await time(runStep(compiledStep), ITER * 3);
  const mlpProgram = compiledStep.concrete();
  const mlpKernels = mlpProgram.kernels;

  // --- jax-js jit -------------------------------------------------------------------------
  await init("wasm");
  defaultDevice("wasm");
  const ja = np.array(uniform([N], 1).data, { shape: [N] });
  const jb = np.array(uniform([N], 2).data, { shape: [N] });
  const jc = np.array(uniform([N], 3).data, { shape: [N] });
  const jMulAdd = jit((p: np.Array, q: np.Array, r: np.Array) => np.add(np.multiply(p, q), r));
  const j1 = await time(async () => {
    const y = jMulAdd(ja.ref, jb.ref, jc.ref);
    await y.data();
  }, ITER);
  type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array };
  let params: Params = {
    w1: np.array(spec.w1.data, { shape: [784, 128] }),
    b1: np.zeros([128]),
    w2: np.array(spec.w2.data, { shape: [128, 10] }),
    b2: np.zeros([10]),
  };
  const jx = np.array(spec.x.data, { shape: [BATCH, 784] });
  const jl = np.array(spec.labels.data, { shape: [BATCH, 10] });
  const jStep = jit((p: Params, x: np.Array, labels: np.Array) => {
    const lossFn = (q: Params): np.Array => {
      const h = nn.relu(np.add(np.matmul(x.ref, q.w1), q.b1));
      const z = np.add(np.matmul(h, q.w2), q.b2);
      return np.sum(np.multiply(labels.ref, nn.logSoftmax(z, -1))).mul(-1 / BATCH);
    };
    const [loss, grads] = valueAndGrad(lossFn)(tree.map((w: np.Array) => w.ref, p) as Params);
    x.dispose();
    labels.dispose();
    return [loss, tree.map((w: np.Array, g: np.Array) => w.sub(g.mul(0.1)), p, grads as Params)] as [np.Array, Params];
  });
  const j2 = await time(async () => {
    const [loss, next] = jStep(params, jx.ref, jl.ref) as unknown as [np.Array, Params];
    params = next;
    await loss.data();
  }, ITER * 3);

  const fusedCount = (k: readonly { fused: boolean }[]) => k.filter((x) => x.fused).length;
  Object.assign(out, {
    mulAdd16M: { eager: e1, compiled: c1, jaxJit: j1, compiledOverEager: c1.medianMs / e1.medianMs, jaxJitOverCompiled: j1.medianMs / c1.medianMs, kernels: kernelsMulAdd },
    mlpStep: {
      eager: e2,
      compiled: c2,
      jaxJit: j2,
      compileSeconds: mlpProgram.compileSeconds,
      firstCompiledCallMs: mlpFirstCallMs,
      compiledOverEager: c2.medianMs / e2.medianMs,
      jaxJitOverCompiled: j2.medianMs / c2.medianMs,
      ops: mlpProgram.ops.length,
      kernels: mlpKernels.length,
      fusedKernels: fusedCount(mlpKernels),
      opsInFusedKernels: mlpKernels.filter((k) => k.fused).reduce((s, k) => s + k.ops.length, 0),
    },
  });
  console.log(JSON.stringify(out, (k, v) => (k === "kernels" && Array.isArray(v) && v.length > 4 ? `${v.length} kernels` : typeof v === "number" ? Math.round(v * 1000) / 1000 : v), 2));
  console.log(`\n${mlpProgram.toString()}`);
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../results/compile.json", import.meta.url), JSON.stringify(out, null, 2));
  process.exit(0);
}

void main();
