/**
 * WebGPU types as the public declarations name them: the real ones wherever the user's
 * program declares WebGPU (@webgpu/types, or a lib that has it), opaque objects elsewhere,
 * so a Node program type-checks against this package without DOM or WebGPU typings.
 */
type G = typeof globalThis;
type Declared<K extends string> = G extends Record<K, { prototype: infer T }> ? T : object;

/** `GPU` (navigator.gpu). */
export type Gpu = Declared<"GPU">;
/** `GPUAdapter`. */
export type Adapter = Declared<"GPUAdapter">;
/** `GPUDevice`. */
export type Device = Declared<"GPUDevice">;
/** `GPUBuffer`. */
export type Buffer = Declared<"GPUBuffer">;
/** `GPUComputePipeline`. */
export type ComputePipeline = Declared<"GPUComputePipeline">;
/** `GPUPowerPreference`. */
export type PowerPreference = "low-power" | "high-performance";
