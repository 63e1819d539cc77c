/**
 * eager on @eager/backend-webgpu (WGSL kernels). In Node it runs on Dawn; without a real
 * GPU Dawn finds SwiftShader (a software Vulkan), whose numbers prove correctness, not speed.
 * Each iteration waits for the device (`await t.data()` maps a staging buffer). The backend
 * is loaded from its workspace source, so the bench needs no extra dependency.
 */
import * as core from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { Engine, EngineUnavailable } from "../types.js";
import { createEagerEngine } from "./eager.js";

/** The WebGPU engine, or why it cannot run here. */
export async function webgpuEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const name = "eager-webgpu";
  try {
    const specifier = new URL("../../../backends/webgpu/src/index.ts", import.meta.url).href;
    await import(specifier);
    await core.ready("webgpu");
  } catch (e) {
    return { engines: [], unavailable: [{ name, reason: `@eager/backend-webgpu could not start: ${(e as Error).message.split("\n")[0]}` }] };
  }
  const info = getBackend("webgpu").capabilities.info ?? {};
  return { engines: [createEagerEngine(name, "webgpu", { adapter: String(info["adapter"]), source: String(info["source"]) })], unavailable: [] };
}
