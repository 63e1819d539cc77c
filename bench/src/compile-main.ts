/**
 * `pnpm --filter @eager/bench compile [--quick] [--backends cpu,cpu-1t,webgpu,webgl] [--filter ids] [--browser]`:
 * compiled against eager on each backend, and against jax-js `jit` (wasm device, its worker
 * pool) on the cpu backend's a*b+c and MLP step, all interleaved in one process run (see
 * src/compile/). Writes results/compile.json (results/compile-browser.json with --browser, run in
 * headless Chromium) and the compile section of RESULTS.md from both files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import { registerCpuBackend } from "@eager/backend-cpu";
import { parseArgs } from "./args.js";
import { machineInfo } from "./machine.js";
import { runCompileSuite, type CompileBackend } from "./compile/suite.js";
import { compileResultsFile, writeCompileSection, type CompileResults } from "./report/compile-markdown.js";
import type { Engine } from "./types.js";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const options = parseArgs(process.argv.slice(2), path.join(benchDir, "results"));
const wanted = options.backends ?? ["cpu", "cpu-1t", "webgpu", "webgl"];
const quick = options.quick;

/** Software GPUs run a*b+c on 1M elements (16M takes seconds per call there) and the MNIST models at batch 16. */
const SOFTWARE_SIZES = { mulAdd: quick ? 1 << 18 : 1 << 20, mnistBatch: 16 };

async function nodeBackends(): Promise<{ backends: CompileBackend[]; unavailable: { name: string; reason: string }[] }> {
  const backends: CompileBackend[] = [];
  const unavailable: { name: string; reason: string }[] = [];
  const first = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  if (wanted.includes("cpu")) {
    await tf.ready("cpu");
    const info = getBackend("cpu").capabilities.info ?? {};
    backends.push({ name: "cpu", device: "cpu", label: `cpu (WebAssembly, threads=${String(info["threads"] ?? os.availableParallelism())}, simd=${String(info["simd"])})`, sizes: { mulAdd: quick ? 1 << 20 : 1 << 24, mnistBatch: null }, software: false });
  }
  if (wanted.includes("cpu-1t")) {
    // One thread: no pool, so a worker descheduled by other load on a shared machine cannot stall a kernel.
    registerCpuBackend("cpu-1t", { threads: 1 }, -1);
    await tf.ready("cpu-1t");
    const info = getBackend("cpu-1t").capabilities.info ?? {};
    backends.push({ name: "cpu-1t", device: "cpu-1t", label: `cpu on one thread (WebAssembly, simd=${String(info["simd"])})`, sizes: { mulAdd: quick ? 1 << 20 : 1 << 24, mnistBatch: null }, software: false });
  }
  if (wanted.includes("webgpu")) {
    try {
      await import(new URL("../../backends/webgpu/src/index.ts", import.meta.url).href);
      await tf.ready("webgpu");
      const info = getBackend("webgpu").capabilities.info ?? {};
      backends.push({ name: "webgpu", device: "webgpu", label: `webgpu (Dawn in Node, adapter ${String(info["adapter"])}: a software GPU)`, sizes: SOFTWARE_SIZES, software: true });
    } catch (e) {
      unavailable.push({ name: "webgpu", reason: first(e) });
    }
  }
  if (wanted.includes("webgl")) {
    try {
      const specifier = "@eager/backend-webgl";
      await import(specifier);
      await tf.ready("webgl");
      const info = getBackend("webgl").capabilities.info ?? {};
      const mode = String(info["mode"]);
      const label = info["webgl"] === true ? `webgl (gpu.js ${mode})` : `webgl backend on gpu.js's "${mode}" fallback (Node has no WebGL context: not WebGL)`;
      backends.push({ name: "webgl", device: "webgl", label, sizes: SOFTWARE_SIZES, software: true });
    } catch (e) {
      unavailable.push({ name: "webgl", reason: first(e) });
    }
  }
  return { backends, unavailable };
}

async function jaxPeer(): Promise<{ engine: Engine | null; reason?: string }> {
  const { jaxEngines } = await import("./engines/jax.js");
  const { engines, unavailable } = await jaxEngines();
  return engines[0] ? { engine: engines[0] } : { engine: null, reason: unavailable[0]?.reason ?? "not available" };
}

let results: CompileResults;
if (options.browser) {
  const { runBrowserCompile } = await import("./browser/run.js");
  results = await runBrowserCompile(options);
} else {
  await tf.ready();
  const { backends, unavailable } = await nodeBackends();
  const jax = wanted.includes("cpu") ? await jaxPeer() : { engine: null, reason: "the cpu backend was not selected" };
  const rows = await runCompileSuite({ backends, filter: options.filter, quick, jax: jax.engine, log: console.log });
  results = compileResultsFile({
    where: "node",
    machine: machineInfo(),
    options: { quick, filter: options.filter, backends: options.backends },
    backends: [...backends.map((b) => ({ name: b.name, label: b.label, available: true, sizes: b.sizes })), ...unavailable.map((u) => ({ name: u.name, label: u.name, available: false, reason: u.reason }))],
    jax: jax.engine ? { available: true, info: jax.engine.info } : { available: false, reason: jax.reason },
    rows,
  });
}
mkdirSync(options.outDir, { recursive: true });
const out = path.join(options.outDir, options.browser ? "compile-browser.json" : "compile.json");
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
if (options.outDir === path.join(benchDir, "results")) console.log(await writeCompileSection(benchDir));
process.exit(0);
