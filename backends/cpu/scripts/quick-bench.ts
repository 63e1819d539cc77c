/**
 * Quick numbers for the CPU backend: matmul 1024 in GFLOP/s and a*b+c over 16M floats in
 * ns per element, medians over repeated runs, for 1 thread and for all threads.
 * Run: node --conditions=source --import tsx backends/cpu/scripts/quick-bench.ts
 */
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend } from "@eager/backend-cpu";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const configs = [
  { name: "cpu-1t", threads: 1, relaxedSimd: true },
  { name: "cpu-all", threads: undefined, relaxedSimd: true },
  { name: "cpu-all-simd128", threads: undefined, relaxedSimd: false },
];
for (const c of configs) {
  const b = await createCpuBackend({ name: c.name, threads: c.threads, relaxedSimd: c.relaxedSimd });
  registerBackend(c.name, () => b, { priority: -1 });
  await tf.ready(c.name);
  tf.withDevice(c.name, () => {
    const n = 1024;
    const a = tf.randomUniform([n, n]);
    const bm = tf.randomUniform([n, n]);
    const ms = time(() => tf.matmul(a, bm).dispose(), 10);
    const N = 16 << 20;
    const x = tf.randomUniform([N]);
    const y = tf.randomUniform([N]);
    const z = tf.randomUniform([N]);
    const ew = time(() => tf.tidy(() => tf.add(tf.mul(x, y), z)).dispose(), 10);
    console.log(
      `${c.name.padEnd(16)} threads=${b.threads} simd=${b.capabilities.info!["simd"]}  matmul 1024: ${ms.toFixed(1)} ms = ${((2 * n ** 3) / ms / 1e6).toFixed(1)} GFLOP/s   a*b+c 16M: ${ew.toFixed(1)} ms = ${((ew * 1e6) / N).toFixed(2)} ns/elem`,
    );
    for (const t of [a, bm, x, y, z]) t.dispose();
  });
  b.dispose?.();
}
