/**
 * `@eager/backend-cpu`: importing it registers the multithreaded WebAssembly SIMD backend
 * as "cpu" (priority 10, so it becomes the default device). It initializes asynchronously:
 * `await ready()` before the first op.
 */
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackendOptions } from "./backend.js";

export { createCpuBackend, DEFAULT_THRESHOLDS, type CpuBackend, type CpuBackendOptions } from "./backend.js";
export { CpuOutOfMemoryError, type CpuBuffer } from "./arena.js";
export { WorkerCrashError } from "./pool/pool.js";
export type { WorkerTransport, WorkerInit, WorkerHandle, WorkerEvents } from "./pool/transport.js";
export type { Thresholds } from "./kernels/context.js";

/** Priority of the "cpu" registration: above the reference backend (0). */
export const CPU_PRIORITY = 10;

/**
 * Register a CPU backend under `name` (e.g. 1- and 2-thread instances side by side).
 * @example registerCpuBackend("cpu1", { threads: 1 }, 0); await ready("cpu1");
 */
export function registerCpuBackend(name: string, options: CpuBackendOptions = {}, priority = CPU_PRIORITY): void {
  registerBackend(name, () => createCpuBackend({ ...options, name }), { priority });
}

registerCpuBackend("cpu");
