/**
 * Compiles the prebuilt kernel module (src/generated/kernels.ts, made at build time from the
 * WebAssembly text generators); fused kernels are assembled while programs run by `#assembler`
 * (./assembler.ts, dependency-free). Relaxed SIMD is used when the engine validates it
 * (Node 20 after `--experimental-wasm-relaxed-simd`); plain SIMD otherwise.
 */
import { assembler } from "#assembler";
import { platform } from "#platform";
import { RELAXED_SIMD, SIMD128_PATCH } from "../generated/kernels.js";
import { applyBodyPatch } from "./body-patch.js";
import { decodeBase64, withUnsharedMemory } from "./bytes.js";

export { MATMUL_MR, MAX_PAGES } from "./layout.js";

/** The compiled kernels and what they were built with. */
export interface KernelModule {
  readonly module: WebAssembly.Module;
  readonly exportNames: readonly string[];
  readonly relaxedSimd: boolean;
  readonly shared: boolean;
}

// A module using f32x4.relaxed_madd: validates only where the engine has relaxed SIMD.
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 39, 1, 37, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 67, 0, 0, 0, 0, 253,
  19, 67, 0, 0, 0, 0, 253, 19, 253, 133, 2, 11,
]);

/** Whether this engine runs relaxed SIMD; in Node, switches V8's flag on first. */
export function detectRelaxedSimd(): boolean {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  platform.enableRelaxedSimd();
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The kernel module's bytes for one memory kind and FMA choice. */
export function kernelBytes(shared: boolean, relaxed: boolean): Uint8Array {
  const full = decodeBase64(RELAXED_SIMD);
  const bytes = relaxed ? full : applyBodyPatch(full, decodeBase64(SIMD128_PATCH));
  return shared ? bytes : withUnsharedMemory(bytes);
}

/**
 * Assemble a small module synchronously (fused kernels compiled while a program runs); the
 * assembler was loaded with the kernels. Throws `WatError` for text outside its subset.
 */
export function assembleSync(text: string): { module: WebAssembly.Module; binary: Uint8Array } | null {
  return assembler.assembleSync(text);
}

const cache = new Map<string, Promise<KernelModule>>();

/** Compile the prebuilt kernels (cached per memory kind and FMA choice). */
export function buildKernels(shared: boolean, relaxed: boolean): Promise<KernelModule> {
  const key = `${shared}/${relaxed}`;
  let p = cache.get(key);
  if (!p) {
    p = Promise.all([WebAssembly.compile(kernelBytes(shared, relaxed) as Uint8Array<ArrayBuffer>), assembler.load()]).then(([module]) => ({
      module,
      exportNames: WebAssembly.Module.exports(module).map((e) => e.name),
      relaxedSimd: relaxed,
      shared,
    }));
    cache.set(key, p);
  }
  return p;
}
