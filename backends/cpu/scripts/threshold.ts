/**
 * Measures where splitting across threads starts to pay: the dispatch cost of the pool
 * (Atomics signalling) against a message round trip per task, then elementwise add and
 * matmul at growing sizes on 1 thread vs all threads (medians). The crossover sizes are
 * the defaults in backend.ts. Run:
 *   node --conditions=source --import tsx backends/cpu/scripts/threshold.ts
 */
import { Worker } from "node:worker_threads";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend } from "@eager/backend-cpu";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts) * 1000; // microseconds
}

// A message per task: postMessage echo with a worker (what a task queue like piscina costs at least).
const echo = new Worker(`const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));`, { eval: true });
const rtts: number[] = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  await new Promise<void>((r) => {
    echo.once("message", () => r());
    echo.postMessage(i);
  });
  rtts.push((performance.now() - t0) * 1000);
}
await echo.terminate();
console.log(`message round trip per task: ${median(rtts.slice(50)).toFixed(1)} us (median)`);

const one = await createCpuBackend({ name: "t1", threads: 1 });
const all = await createCpuBackend({ name: "tall", thresholds: { elementwise: 0, matmul: 0 } });
registerBackend("t1", () => one, { priority: -1 });
registerBackend("tall", () => all, { priority: -1 });
await tf.ready("t1");
await tf.ready("tall");

// Atomics dispatch: a parallel task whose chunks do (almost) nothing.
const ctx = all.context;
const scratch = ctx.arena.alloc(64);
const atomicsUs = time(() => all.pool!.run(ctx.exportNames.indexOf("mem_zero"), [scratch.offset, 0], all.threads * 4), 500);
console.log(`Atomics dispatch of an empty ${all.threads}-thread task: ${atomicsUs.toFixed(1)} us (median)`);

console.log(`\nadd, float32, same shape: microseconds, 1 thread vs ${all.threads} threads`);
for (const n of [4096, 16384, 32768, 65536, 131072, 262144, 1048576]) {
  const a = tf.withDevice("t1", () => tf.randomUniform([n]));
  const b = tf.withDevice("tall", () => tf.randomUniform([n]));
  const t1 = time(() => tf.withDevice("t1", () => tf.add(a, a).dispose()), 200);
  const tn = time(() => tf.withDevice("tall", () => tf.add(b, b).dispose()), 200);
  console.log(`  n=${String(n).padStart(8)}  ${t1.toFixed(1).padStart(8)}  ${tn.toFixed(1).padStart(8)}  speedup ${(t1 / tn).toFixed(2)}`);
  a.dispose();
  b.dispose();
}

console.log(`\nmatmul, float32, n x n x n: microseconds, 1 thread vs ${all.threads} threads`);
for (const n of [16, 32, 48, 64, 96, 128, 256]) {
  const a = tf.withDevice("t1", () => tf.randomUniform([n, n]));
  const b = tf.withDevice("tall", () => tf.randomUniform([n, n]));
  const t1 = time(() => tf.withDevice("t1", () => tf.matmul(a, a).dispose()), 100);
  const tn = time(() => tf.withDevice("tall", () => tf.matmul(b, b).dispose()), 100);
  console.log(`  n=${String(n).padStart(5)}  ${t1.toFixed(1).padStart(8)}  ${tn.toFixed(1).padStart(8)}  speedup ${(t1 / tn).toFixed(2)}`);
  a.dispose();
  b.dispose();
}
one.dispose?.();
all.dispose?.();
