/**
 * `@eager/backend-webgpu`: importing it registers the WebGPU backend as "webgpu" (kind "gpu",
 * so "gpu" and "/gpu:0" reach it). Its priority is below the reference backend's, so it is
 * never the default device unless chosen. It initializes asynchronously: `await ready("webgpu")`.
 */
import { registerBackend } from "@eager/core/backend";
import { createWebGpuBackend, type WebGpuBackendOptions } from "./backend.js";

export { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from "./backend.js";
export { WebGpuDeviceError, type GpuBuffer, type RuntimeStats } from "./runtime.js";
export { WebGpuUnavailableError, softwareAdapterExpected, SWIFTSHADER_ICD } from "./device.js";

/**
 * Priority of the "webgpu" registration: above WebGL (2), so "gpu" means WebGPU where both
 * are registered. It never becomes the default device (ops run on it when placed there).
 */
export const WEBGPU_PRIORITY = 3;

/**
 * Register a WebGPU backend under `name` (again after a device loss, to start over).
 * @example registerWebGpuBackend(); await ready("gpu");
 */
export function registerWebGpuBackend(name = "webgpu", options: WebGpuBackendOptions = {}, priority = WEBGPU_PRIORITY): void {
  registerBackend(name, () => createWebGpuBackend({ ...options, name }), { priority, kind: "gpu", defaultDevice: false });
}

registerWebGpuBackend();
