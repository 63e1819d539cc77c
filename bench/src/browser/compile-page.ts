/**
 * The page's half of `pnpm --filter @eager/bench compile --browser`: the compile benchmark
 * (src/compile/) on eager's cpu backend (threaded WebAssembly), WebGPU and WebGL (SwiftShader:
 * software GPUs) and jax-js `jit` on its threaded wasm device, in this cross-origin isolated page.
 */
import * as core from "@eager/core";
import { getBackend } from "@eager/core/backend";
import { init as initJax } from "@jax-js/jax";
import { jaxEngine } from "../engines/jax-engine.js";
import { runCompileSuite, type CompileBackend } from "../compile/suite.js";
import type { CompileResults } from "../report/compile-markdown.js";
import type { Engine } from "../types.js";

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** Runs the compile suite here; `filter` and `backends` as on the command line (null: all). */
export async function runCompileBench(
  filter: string[] | null,
  quick: boolean,
  wanted: string[] | null,
): Promise<Pick<CompileResults, "backends" | "jax" | "rows"> & { userAgent: string; crossOriginIsolated: boolean }> {
  const picked = (n: string) => wanted === null || wanted.includes(n);
  const backends: CompileBackend[] = [];
  const listed: CompileResults["backends"] = [];
  const software = { mulAdd: quick ? 1 << 18 : 1 << 20, mnistBatch: 16 };
  for (const device of ["cpu", "webgpu", "webgl"]) {
    if (!picked(device)) continue;
    try {
      await core.ready(device);
      const info = getBackend(device).capabilities.info ?? {};
      if (device === "webgl" && info["webgl"] !== true) throw new Error(`gpu.js found no WebGL context (mode ${String(info["mode"])})`);
      const label =
        device === "cpu"
          ? `cpu (WebAssembly, threads=${String(info["threads"])}, simd=${String(info["simd"])})`
          : device === "webgpu"
            ? `webgpu (navigator.gpu, adapter ${String(info["adapter"])}: SwiftShader, a software GPU)`
            : `webgl (gpu.js ${String(info["mode"])} on SwiftShader, a software GPU)`;
      const sizes = device === "cpu" ? { mulAdd: quick ? 1 << 20 : 1 << 24, mnistBatch: null } : software;
      backends.push({ name: device, device, label, sizes, software: device !== "cpu" });
      listed.push({ name: device, label, available: true, sizes });
    } catch (e) {
      listed.push({ name: device, label: device, available: false, reason: firstLine(e) });
    }
  }
  let jax: Engine | null = null;
  let jaxInfo: CompileResults["jax"] = { available: false, reason: "the cpu backend was not selected" };
  if (picked("cpu")) {
    try {
      const devices = await initJax("wasm");
      if (!devices.includes("wasm")) throw new Error(`jax-js init gave ${devices.join(", ") || "nothing"}`);
      jax = jaxEngine("jax-js-wasm", "wasm", { threads: navigator.hardwareConcurrency, threadsNote: "worker pool (cross-origin isolated page)" });
      jaxInfo = { available: true, info: jax.info };
    } catch (e) {
      jaxInfo = { available: false, reason: firstLine(e) };
    }
  }
  const rows = await runCompileSuite({ backends, filter, quick, jax, log: (l) => console.log(l) });
  return { backends: listed, jax: jaxInfo, rows, userAgent: navigator.userAgent, crossOriginIsolated };
}

(globalThis as { runCompileBench?: typeof runCompileBench }).runCompileBench = runCompileBench;
