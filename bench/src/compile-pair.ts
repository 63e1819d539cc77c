/**
 * `pnpm --filter @eager/bench compile:pair <backend> <workload> [rounds] [profile]`: one compile
 * workload on one backend, eager and compiled alternating (order flipped each round), one call
 * each per round; prints what one call adds to the backend's counters (webgpu pipelines and dispatches, webgl compiled kernels), the medians, the ratio
 * per round and, with profile 1, `tf.profile` tables of one eager and one compiled call.
 */
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import { COMPILE_WORKLOADS } from "./compile/workloads.js";

const [backend = "webgl", filter = "example char-RNN", roundsArg = "8", prof = "0"] = process.argv.slice(2);
await tf.ready();
if (backend === "webgpu") await import(new URL("../../backends/webgpu/src/index.ts", import.meta.url).href);
if (backend === "webgl") await import("@eager/backend-webgl");
if (backend === "cpu" || backend === "cpu-1t") {
  const { registerCpuBackend } = await import("@eager/backend-cpu");
  if (backend === "cpu-1t") registerCpuBackend("cpu-1t", { threads: 1 }, -1);
}
await tf.ready(backend);
const w = COMPILE_WORKLOADS.find((x) => x.id.includes(filter));
if (!w) throw new Error(`no workload matches "${filter}" (${COMPILE_WORKLOADS.map((x) => x.id).join(", ")})`);
const b = w.build(backend, { mulAdd: 1 << 20, mnistBatch: 16 });
await b.check();
const p = b.program();
const fused = p.kernels.filter((k) => k.fused);
console.log(`${w.id} on ${backend}: ${p.ops.length} ops in ${p.kernels.length} kernels, ${fused.length} fused (largest: ${fused.map((k) => k.ops.length).sort((x, y) => y - x).slice(0, 6).join(", ")} ops)`);
const stats = () => {
  const be = getBackend(backend) as unknown as { stats?: unknown; runtime?: { compiledKernels?: number } };
  return JSON.stringify(be.stats ?? { compiledKernels: be.runtime?.compiledKernels ?? null });
};
for (const [name, f] of [["eager", b.eager], ["compiled", b.compiled]] as const) {
  const before = stats();
  await f();
  console.log(`${name} call: backend stats ${before} -> ${stats()}`);
}
const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const eager: number[] = [];
const compiled: number[] = [];
for (let r = 0; r < Number(roundsArg); r++) {
  for (const which of r % 2 ? ["compiled", "eager"] : ["eager", "compiled"]) {
    const t = performance.now();
    await (which === "eager" ? b.eager() : b.compiled());
    (which === "eager" ? eager : compiled).push(performance.now() - t);
  }
}
const perRound = compiled.map((c, i) => c / eager[i]!);
console.log(`eager ${median(eager).toFixed(1)} ms, compiled ${median(compiled).toFixed(1)} ms: ratio of medians ${(median(compiled) / median(eager)).toFixed(3)}, per-round median ${median(perRound).toFixed(3)} (${perRound.map((x) => x.toFixed(2)).join(" ")})`);
if (prof === "1") {
  const pe = await tf.profile(() => b.eager());
  const pc = await tf.profile(() => b.compiled());
  console.log(`eager (profiled, ${pe.wallMs.toFixed(1)} ms)\n${pe.table(20)}\ncompiled (profiled, ${pc.wallMs.toFixed(1)} ms)\n${pc.table(20)}`);
}
b.dispose();
process.exit(0);
