/**
 * The WebGPU backend's Node platform: the `webgpu` npm package (Dawn), pointed at
 * SwiftShader's Vulkan driver when no driver is configured. The object Dawn's `create()`
 * returns is held for the life of the process: collecting it while an adapter or device
 * lives crashes the process at the next map. Selected by the "node" condition of `#platform`.
 */
import { existsSync } from "node:fs";
import { SWIFTSHADER_ICD, type WebGpuPlatform } from "./types.js";

/** Every GPU instance ever created here; never emptied (see the header). */
const heldInstances: GPU[] = [];

/** Node's platform services. */
export const platform: WebGpuPlatform = {
  fallbackSource: "dawn (node)",
  async fallbackGpu() {
    if (!process.env["VK_ICD_FILENAMES"] && existsSync(SWIFTSHADER_ICD)) process.env["VK_ICD_FILENAMES"] = SWIFTSHADER_ICD;
    let mod: { create(flags: string[]): GPU; globals: object };
    try {
      // Loaded on first use only: importing the backend must not load Dawn's native module.
      mod = (await import("webgpu")) as typeof mod;
    } catch (e) {
      throw new Error(`the "webgpu" package (Dawn) did not load: ${(e as Error).message}`);
    }
    // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are globals in browsers.
    for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    const gpu = mod.create([]);
    heldInstances.push(gpu);
    return gpu;
  },
  softwareAdapterExpected: () => existsSync(SWIFTSHADER_ICD),
};
