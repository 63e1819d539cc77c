/**
 * The browser side of `pnpm bench --browser`: on a cross-origin isolated page, makes every
 * engine that runs here (ours on cpu at 1 and 2 threads, WebGPU and WebGL; TF.js's wasm
 * backend with its threads; jax-js with jit on its threaded wasm device and on WebGPU) and
 * runs the selected cases with the suite's own runner (src/run-cases.ts).
 */
import * as core from "@eager/core";
import { getBackend } from "@eager/core/backend";
import { registerCpuBackend } from "@eager/backend-cpu";
import "@eager/backend-webgpu";
import "@eager/backend-webgl";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { init as initJax } from "@jax-js/jax";
import { createEagerEngine } from "../engines/eager.js";
import { jaxEngine } from "../engines/jax-engine.js";
import { tfEngine } from "../engines/tfjs-engine.js";
import { ratios, runCases, selectCases } from "../run-cases.js";
import "./compile-page.js";
import type { Case, Engine, EngineUnavailable, ResultRow, ResultsFile } from "../types.js";

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** Engines on a software GPU (SwiftShader here) skip the cases that take minutes there. */
const SOFTWARE_GPU_SKIPS = ["matmul 1024", "dispatch"];

type Picked = (name: string) => boolean;

async function eagerEngines(out: Engine[], unavailable: EngineUnavailable[], picked: Picked): Promise<void> {
  for (const threads of [1, 2]) {
    const device = `bench-cpu-${threads}t`;
    if (!picked(`eager-cpu-${threads}t`)) continue;
    try {
      registerCpuBackend(device, { threads }, -1);
      await core.ready(device);
      out.push(createEagerEngine(`eager-cpu-${threads}t`, device, { threads, simd: String(getBackend(device).capabilities.info?.["simd"]) }));
    } catch (e) {
      unavailable.push({ name: `eager-cpu-${threads}t`, reason: firstLine(e) });
    }
  }
  for (const device of ["webgpu", "webgl"]) {
    if (!picked(`eager-${device}`)) continue;
    try {
      await core.ready(device);
      const info = getBackend(device).capabilities.info ?? {};
      if (device === "webgl" && info["webgl"] !== true) throw new Error(`gpu.js found no WebGL context (mode ${String(info["mode"])})`);
      out.push(createEagerEngine(`eager-${device}`, device, { adapter: String(info["adapter"] ?? info["mode"]) }));
    } catch (e) {
      unavailable.push({ name: `eager-${device}`, reason: firstLine(e) });
    }
  }
}

async function tfjsEngine(out: Engine[], unavailable: EngineUnavailable[]): Promise<void> {
  tf.enableProdMode();
  const cores = navigator.hardwareConcurrency;
  try {
    setWasmPaths("/tfjs-wasm/");
    // XNNPACK halves the logical core count (it assumes two hardware threads per core): let it
    // see twice as many while it starts, so it uses one thread per core.
    setThreadsCount(cores);
    Object.defineProperty(navigator, "hardwareConcurrency", { value: 2 * cores, configurable: true });
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
    const threads = getThreadsCount();
    const multithread = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
    out.push(tfEngine("tfjs-wasm", "wasm", { simd: (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean, threads, threadsNote: multithread ? "threaded build (cross-origin isolated page)" : "single-threaded build" }));
  } catch (e) {
    unavailable.push({ name: "tfjs-wasm", reason: firstLine(e) });
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

async function jaxEngines(out: Engine[], unavailable: EngineUnavailable[], picked: Picked): Promise<void> {
  const wanted = (["wasm", "webgpu"] as const).filter((d) => picked(`jax-js-${d}`));
  if (wanted.length === 0) return;
  const devices = await initJax(...wanted).catch((e: unknown) => {
    unavailable.push({ name: "jax-js", reason: firstLine(e) });
    return [] as string[];
  });
  if (wanted.includes("wasm")) {
    if (devices.includes("wasm")) out.push(jaxEngine("jax-js-wasm", "wasm", { threads: navigator.hardwareConcurrency, threadsNote: "worker pool (cross-origin isolated page)" }));
    else unavailable.push({ name: "jax-js-wasm", reason: `jax-js init gave ${devices.join(", ") || "nothing"}` });
  }
  if (wanted.includes("webgpu")) {
    if (devices.includes("webgpu")) out.push(jaxEngine("jax-js-webgpu", "webgpu", {}));
    else unavailable.push({ name: "jax-js-webgpu", reason: `jax-js found no WebGPU device (init gave ${devices.join(", ") || "nothing"})` });
  }
}

/** Runs the cases `filter` picks on every engine (of `backends`) that starts here; the page's half of a results file. */
async function runBrowserBench(filter: string[], quick: boolean, backends: string[] | null): Promise<Pick<ResultsFile, "engines" | "rows" | "ratios"> & { userAgent: string; crossOriginIsolated: boolean }> {
  const engines: Engine[] = [];
  const unavailable: EngineUnavailable[] = [];
  // --backends: a name or part of one, as in Node (src/engines/index.ts); others are never started.
  const picked: Picked = (name) => backends === null || backends.some((b) => name === b || name.includes(b));
  await eagerEngines(engines, unavailable, picked);
  if (picked("tfjs-wasm")) await tfjsEngine(engines, unavailable);
  await jaxEngines(engines, unavailable, picked);
  const cases: Case[] = selectCases(filter);
  const gpu = (e: Engine) => e.name === "eager-webgpu" || e.name === "eager-webgl" || e.name === "jax-js-webgpu";
  const rows: ResultRow[] = await runCases(cases, engines, unavailable, quick, (line) => console.log(line), (c, e) =>
    gpu(e) && SOFTWARE_GPU_SKIPS.some((s) => c.id.startsWith(s)) ? `skipped on the software GPU (SwiftShader): ${c.id} takes minutes there` : null,
  );
  return {
    engines: [
      ...engines.map((e) => ({ name: e.name, peer: e.peer, available: true, waits: e.waits, info: e.info })),
      ...unavailable.map((u) => ({ name: u.name, peer: !u.name.startsWith("eager-"), available: false, reason: u.reason })),
    ],
    rows,
    ratios: ratios(rows),
    userAgent: navigator.userAgent,
    crossOriginIsolated,
  };
}

(globalThis as { runBrowserBench?: typeof runBrowserBench }).runBrowserBench = runBrowserBench;
