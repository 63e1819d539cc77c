/**
 * `@eager/backend-webgl`: importing it registers the gpu.js WebGL backend as "webgl" (kind
 * "gpu", priority 2: below "cpu" and "webgpu", so "gpu" means WebGPU where it is registered
 * and WebGL otherwise). Where gpu.js finds no WebGL it falls back to WebAssembly or plain
 * JavaScript; the backend then says so (kind "other", capabilities.info.mode) and registers
 * below the reference backend, so it never becomes the default or the "gpu" device.
 */
import { registerBackend } from "@eager/core/backend";
import { createWebGlBackend, type WebGlBackendOptions } from "./backend.js";
import { gpujs } from "./gpujs.js";

export { createWebGlBackend, type WebGlBackend, type WebGlBackendOptions } from "./backend.js";
export type { WebGlBuffer } from "./context.js";
export type { GpuJsMode } from "./gpujs.js";
export { WebGlBackendError, WebGlContextLostError, WebGlLimitError, WebGlIndexError } from "./errors.js";
export { FLOAT_EXACT_INT } from "./runtime.js";
export { WEBGL_TOLERANCES, type OpTolerance } from "./precision.js";

/**
 * Priority of the "webgl" registration where WebGL runs: below WebGPU (3), so "gpu" means
 * WebGL only where WebGPU is not registered. Never the default device.
 */
export const WEBGL_PRIORITY = 2;

/** Priority where gpu.js would fall back off WebGL (kind "other" then, so never "gpu"). */
export const WEBGL_FALLBACK_PRIORITY = -1;

/** Whether gpu.js can run WebGL kernels here (a WebGL2, WebGL or headless-gl context). */
export function webGlAvailable(): boolean {
  const G = gpujs.GPU as unknown as { isWebGL2Supported: boolean; isWebGLSupported: boolean; isHeadlessGLSupported: boolean };
  try {
    return G.isWebGL2Supported || G.isWebGLSupported || G.isHeadlessGLSupported;
  } catch {
    return false;
  }
}

/**
 * Register a WebGL backend under `name`.
 * @example registerWebGlBackend("gl2", { mode: "webgl2" }); tf.withDevice("gl2", () => tf.add(a, b));
 */
export function registerWebGlBackend(name: string, options: WebGlBackendOptions = {}, priority = webGlAvailable() ? WEBGL_PRIORITY : WEBGL_FALLBACK_PRIORITY): void {
  registerBackend(name, () => createWebGlBackend({ ...options, name }), { priority, defaultDevice: false });
}

registerWebGlBackend("webgl");
