/**
 * The one place that touches the gpu.js module: loads it (CommonJS in Node, the browser bundle
 * under a bundler), names the mode a kernel class stands for, and types the few parts we use.
 * Nothing here decides policy; runtime.ts does.
 */
import gpujsModule from "gpu.js";

/** The gpu.js mode that actually runs kernels. Only the first three are WebGL. */
export type GpuJsMode = "webgl2" | "webgl" | "headlessgl" | "webasm" | "cpu" | "webgpu";

/** What a pipeline kernel returns: a texture on the GL modes, a host array on the others. */
export interface GpuTexture {
  toArray(): Float32Array;
  clone(): GpuTexture;
  delete(): void;
  readonly output: number[];
}

/** A value a kernel produces or consumes. */
export type GpuValue = GpuTexture | Float32Array;

/** A compiled gpu.js kernel: callable, resizable, with the kernel instance that runs it. */
export interface GpuKernel {
  (...args: (GpuValue | number)[]): GpuValue;
  setOutput(output: number[]): GpuKernel;
  destroy(removeCanvasReferences?: boolean): void;
  readonly kernel: object;
}

/** The gpu.js `GPU` instance, as far as we use it. */
export interface GpuInstance {
  readonly Kernel: new (...args: never[]) => object;
  readonly canvas: unknown;
  readonly context: unknown;
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
  destroy(): void;
}

interface GpuJsExports {
  GPU: new (settings?: Record<string, unknown>) => GpuInstance;
  HeadlessGLKernel: object;
  WebGL2Kernel: object;
  WebGLKernel: object;
  WebAssemblyKernel: object;
  CPUKernel: object;
  WebGPUKernel: object;
}

const mod = gpujsModule as unknown as GpuJsExports & { default?: GpuJsExports };

/** The gpu.js exports, whether the module system handed us the namespace or its default. */
export const gpujs: GpuJsExports = typeof mod.GPU === "function" ? mod : mod.default!;

/** The mode a gpu.js kernel class (or an instance of one) runs in. */
export function modeOf(kernel: object): GpuJsMode {
  const k = typeof kernel === "function" ? kernel : kernel.constructor;
  if (k === gpujs.HeadlessGLKernel) return "headlessgl";
  if (k === gpujs.WebGL2Kernel) return "webgl2";
  if (k === gpujs.WebGLKernel) return "webgl";
  if (k === gpujs.WebAssemblyKernel) return "webasm";
  if (k === gpujs.WebGPUKernel) return "webgpu";
  return "cpu";
}

/** True for the modes that run kernels as WebGL shaders. */
export function isWebGlMode(mode: GpuJsMode): boolean {
  return mode === "webgl2" || mode === "webgl" || mode === "headlessgl";
}
