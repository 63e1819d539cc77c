/**
 * A compiled matmul + bias + relu (256x256 by 256x256) on webgpu with its tail fused into the
 * matmul shader (`fusedEpilogue`) and without it (head, then the tail as a fused elementwise
 * kernel): median of 20 interleaved runs each, every run waiting for the device (wall time, and
 * the process's CPU time, which on SwiftShader is the rendering work itself). Where WebGPU is
 * SwiftShader (software), the ratio says nothing about a real GPU.
 * Run: cd bench && node --conditions=source --import tsx src/epilogue-webgpu.ts [size, default 256]
 */
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { WebGpuBackend } from "@eager/backend-webgpu";
import "@eager/backend-webgpu";

const N = Number(process.argv[2] ?? 256);
const RUNS = 20;
await tf.ready("webgpu");
const gpu = getBackend("webgpu") as WebGpuBackend;
const fusedEpilogue = gpu.fusedEpilogue;
const setFused = (on: boolean) => ((gpu as { fusedEpilogue?: typeof fusedEpilogue }).fusedEpilogue = on ? fusedEpilogue : undefined);

const [x, w, b] = tf.withDevice("webgpu", () => [tf.randomNormal([N, N], 0, 1, "float32", 1), tf.randomNormal([N, N], 0, 0.1, "float32", 2), tf.randomNormal([N], 0, 1, "float32", 3)]);
const f = tf.compile((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matMul(x, w), b)));

/** One call: wall time to completion, process CPU time (SwiftShader's threads included) and dispatches. */
async function once(fused: boolean): Promise<{ ms: number; cpuMs: number; dispatches: number }> {
  setFused(fused);
  const d0 = gpu.stats.dispatches;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const y = f(x!, w!, b!);
  await gpu.sync();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const dispatches = gpu.stats.dispatches - d0;
  y.dispose();
  return { ms, cpuMs: (c.user + c.system) / 1000, dispatches };
}

// Same values both ways, once, before timing.
setFused(true);
const yf = (await f(x!, w!, b!).data()) as Float32Array;
setFused(false);
const ya = (await f(x!, w!, b!).data()) as Float32Array;
let worst = 0;
for (let i = 0; i < yf.length; i++) worst = Math.max(worst, Math.abs(yf[i]! - ya[i]!));
if (worst > 1e-5) throw new Error(`fused and unfused results differ by ${worst}`);

for (let i = 0; i < 3; i++) {
  await once(true);
  await once(false);
}
const times: Record<"fused" | "apart", number[]> = { fused: [], apart: [] };
const cpu: Record<"fused" | "apart", number[]> = { fused: [], apart: [] };
const dispatches: Record<"fused" | "apart", number> = { fused: 0, apart: 0 };
for (let i = 0; i < RUNS; i++)
  for (const fused of i % 2 ? [false, true] : [true, false]) {
    const r = await once(fused);
    times[fused ? "fused" : "apart"].push(r.ms);
    cpu[fused ? "fused" : "apart"].push(r.cpuMs);
    dispatches[fused ? "fused" : "apart"] = r.dispatches;
  }
setFused(true);
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
const fm = median(times.fused);
const am = median(times.apart);
console.log(`adapter: ${JSON.stringify(gpu.capabilities.info)}`);
console.log(`compiled relu(matmul(x, w) + b), ${N}x${N}, median of ${RUNS}, each run until the device is idle:`);
console.log(`  tail apart (head kernel, then fused elementwise): ${am.toFixed(2)} ms, ${dispatches.apart} dispatches`);
console.log(`  tail fused into the matmul shader:              ${fm.toFixed(2)} ms, ${dispatches.fused} dispatch(es)`);
console.log(`  fused / apart: ${(fm / am).toFixed(3)}; max |fused - apart| = ${worst}`);
console.log(`  process CPU time per run (median): apart ${median(cpu.apart).toFixed(1)} ms, fused ${median(cpu.fused).toFixed(1)} ms`);
console.log(`  min: apart ${Math.min(...times.apart).toFixed(2)} ms, fused ${Math.min(...times.fused).toFixed(2)} ms`);
for (const t of [x, w, b]) t!.dispose();
gpu.dispose?.();
