/**
 * `createWebGpuBackend`: a core Backend whose buffers are GPUBuffers (bool stored as u32),
 * whose kernels encode WGSL dispatches into batched command buffers, and whose reads map a
 * staging buffer asynchronously (no sync read). A lost or failing device turns into a
 * WebGpuDeviceError at the next op or read; `reset()` starts over on a new device.
 */
import type * as W from "./gpu-types.js";
import type { Backend, DType, KernelTensor, OpTimer, TypedArray } from "@eager/core/backend";
import { fusedKernel } from "./kernels/elementwise.js";
import { fusedEpilogueKernel } from "./kernels/epilogue.js";
import { acquireDevice, type DeviceOptions } from "./device.js";
import { webgpuKernels } from "./kernels/table.js";
import { Runtime, type GpuBuffer, type RuntimeStats } from "./runtime.js";

/** Options for a WebGPU backend instance. */
export interface WebGpuBackendOptions extends DeviceOptions {
  /** Backend name (default "webgpu"). */
  readonly name?: string;
  /** Most bytes kept in the buffer pool for reuse (default 256 MiB). */
  readonly maxPooledBytes?: number;
}

/** The WebGPU backend: a core `Backend` plus its device and hooks for tests and reports. */
export interface WebGpuBackend extends Backend<GpuBuffer> {
  /** The current GPUDevice (a new one after `reset()`). */
  readonly device: W.Device;
  /** The current runtime: encoder, pools, pipeline cache. */
  readonly runtime: Runtime;
  /** Submissions, dispatches and pipelines built, since creation. */
  readonly stats: RuntimeStats;
  /** Wait until all queued work has run; throws the device's error if it failed. */
  sync(): Promise<void>;
  /** Time op by op while a profile runs: each op submitted alone, timed to completion, and by GPU timestamps where the device has them. */
  openProfile(): OpTimer;
  /** Drop the current device (tensors on it become unusable) and start on a new one. */
  reset(): Promise<void>;
}

const EMPTY: Record<string, () => TypedArray> = {
  float32: () => new Float32Array(0),
  int32: () => new Int32Array(0),
  bool: () => new Uint8Array(0),
};

/** Convert mapped bytes to the host array core expects for `dtype` (bool: u32 words to bytes). */
function toHost(bytes: ArrayBuffer, dtype: DType): TypedArray {
  if (dtype === "float32") return new Float32Array(bytes);
  if (dtype === "int32") return new Int32Array(bytes);
  if (dtype === "bool") return Uint8Array.from(new Uint32Array(bytes), (v) => (v ? 1 : 0));
  throw new Error(`webgpu: dtype ${dtype} is not stored on this backend`);
}

/** The words written to the GPU for host values (bool bytes widen to u32). */
function toDevice(data: TypedArray): ArrayBufferView {
  if (data instanceof Uint8Array) return Uint32Array.from(data, (v) => (v ? 1 : 0));
  if (data instanceof Float64Array) throw new Error("webgpu: float64 is not stored on this backend");
  // writeBuffer takes no view of shared memory (the cpu backend's buffers): copy those.
  return typeof SharedArrayBuffer !== "undefined" && data.buffer instanceof SharedArrayBuffer ? data.slice() : data;
}

/**
 * Create and initialize a WebGPU backend (not registered; importing the package registers
 * "webgpu").
 * @example const gpu = await createWebGpuBackend({ name: "webgpu2" }); registerBackend("webgpu2", () => gpu);
 * @throws WebGpuUnavailableError when no adapter exists.
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const maxPooled = options.maxPooledBytes ?? 256 * 1024 * 1024;
  let acquired = await acquireDevice(options);
  let generation = 1;
  let rt = new Runtime(acquired.device, generation, maxPooled);
  const current = () => rt;
  const stats: RuntimeStats = { submits: 0, dispatches: 0, pipelines: 0 };
  const totals = (): RuntimeStats => ({
    submits: stats.submits + rt.stats.submits,
    dispatches: stats.dispatches + rt.stats.dispatches,
    pipelines: stats.pipelines + rt.stats.pipelines,
  });
  const fused = fusedKernel(current);
  const epilogue = fusedEpilogueKernel(current);
  const maxElements = Math.floor(acquired.device.limits.maxStorageBufferBindingSize / 4);
  return {
    name: options.name ?? "webgpu",
    capabilities: {
      kind: "gpu",
      dtypes: ["float32", "int32", "bool"],
      syncRead: false,
      maxElements,
      kernelPath: "WGSL",
      info: { adapter: acquired.description, source: acquired.source, timestampQueries: rt.timestamps },
    },
    kernels: webgpuKernels(current),
    get device() {
      return rt.device;
    },
    get runtime() {
      return rt;
    },
    get stats() {
      return totals();
    },
    alloc(dtype: DType, size: number): GpuBuffer {
      rt.check();
      if (size > maxElements) throw new RangeError(`webgpu: ${size} elements of ${dtype} exceed the device's largest storage binding (${maxElements} elements)`);
      return { buffer: rt.storage.acquire(Math.max(4, size * 4)), generation: rt.generation };
    },
    write(buffer: GpuBuffer, data: TypedArray): void {
      rt.write(buffer, toDevice(data));
    },
    async read(buffer: GpuBuffer, dtype: DType, size: number): Promise<TypedArray> {
      if (size === 0) {
        rt.check();
        return EMPTY[dtype]!();
      }
      return toHost(await rt.read(buffer, size * 4), dtype);
    },
    free(buffer: GpuBuffer): void {
      if (buffer.generation === rt.generation && !rt.error) rt.release(buffer.buffer);
    },
    flush(): void {
      if (rt.pending) void rt.submitSoon();
    },
    pooledBytes: () => rt.pooledBytes(),
    fusedElementwise: (expr, inputs, output) => fused(expr, inputs as readonly KernelTensor<GpuBuffer>[], output as KernelTensor<GpuBuffer>),
    fusedEpilogue: (head, expr, extras, output) => epilogue(head, expr, extras as readonly KernelTensor<GpuBuffer>[], output as KernelTensor<GpuBuffer>),
    sync: () => rt.idle(),
    openProfile(): OpTimer {
      const profiled = rt;
      profiled.startProfiling();
      let open = true;
      return {
        opDone: () => rt.opDone(),
        close() {
          if (open) profiled.stopProfiling();
          open = false;
        },
      };
    },
    async reset(): Promise<void> {
      stats.submits += rt.stats.submits;
      stats.dispatches += rt.stats.dispatches;
      stats.pipelines += rt.stats.pipelines;
      rt.dispose();
      acquired = await acquireDevice(options);
      rt = new Runtime(acquired.device, ++generation, maxPooled);
    },
    dispose(): void {
      rt.dispose();
    },
  };
}
