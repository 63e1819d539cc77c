/**
 * Builds the kernel module: generates the WebAssembly text, assembles it with wabt (once
 * per process, at backend init) and compiles it. Relaxed SIMD is used when the engine
 * validates it (Node 20 after `--experimental-wasm-relaxed-simd`); plain SIMD otherwise.
 */
import { elementwiseFuncs } from "./elementwise-wat.js";
import { indexFuncs } from "./index-wat.js";
import { matmulFuncs } from "./matmul-wat.js";
import { memoryFuncs } from "./memory-wat.js";
import { gatherFuncs } from "./movement-wat.js";
import { poolFuncs } from "./pool-wat.js";
import { winogradFuncs } from "./winograd-wat.js";
import { im2colFunc } from "./conv-wat.js";
import { extremumFuncs, sumFuncs } from "./reduce-wat.js";

/** WebAssembly pages (64 KiB) the memory may grow to: 2 GiB, the i32 address space we use. */
export const MAX_PAGES = 32768;
/** Rows of the matmul micro-kernel. */
export const MATMUL_MR = 4;

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
export async function detectRelaxedSimd(): Promise<boolean> {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  if (typeof process !== "undefined" && process.versions?.node) {
    const v8 = await import("node:v8");
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  }
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The module's WebAssembly text. */
export function kernelText(shared: boolean, fma: boolean): string {
  const parts: string[] = [`(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))`];
  parts.push(elementwiseFuncs().text);
  parts.push(sumFuncs("f32"), sumFuncs("f64"), sumFuncs("i32"), extremumFuncs());
  parts.push(matmulFuncs(MATMUL_MR, fma));
  parts.push(memoryFuncs(), im2colFunc(), gatherFuncs(), indexFuncs(), poolFuncs(), winogradFuncs());
  parts.push(")");
  return parts.join("\n");
}

type Wabt = Awaited<ReturnType<typeof import("wabt")>>;
let wabtPromise: Promise<Wabt> | null = null;
let wabtLoaded: Wabt | null = null;

/**
 * Assemble a small module synchronously (fused kernels compiled while a program runs); the
 * assembler was loaded when the backend's kernels were built. Null if it was not.
 */
export function assembleSync(text: string): { module: WebAssembly.Module; binary: Uint8Array } | null {
  if (wabtLoaded === null) return null;
  const parsed = wabtLoaded.parseWat("eager-fused.wat", text, { simd: true, threads: true, bulk_memory: true });
  try {
    const binary = new Uint8Array(parsed.toBinary({}).buffer);
    return { module: new WebAssembly.Module(binary), binary };
  } finally {
    parsed.destroy();
  }
}
const cache = new Map<string, Promise<KernelModule>>();

/** Assemble and compile the kernels (cached per memory kind and FMA choice). */
export function buildKernels(shared: boolean, relaxed: boolean): Promise<KernelModule> {
  const key = `${shared}/${relaxed}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      wabtPromise ??= import("wabt").then((m) => (m.default as unknown as () => Promise<Wabt>)());
      const wabt = await wabtPromise;
      wabtLoaded = wabt;
      const text = kernelText(shared, relaxed);
      const parsed = wabt.parseWat("eager-cpu-kernels.wat", text, { simd: true, threads: true, relaxed_simd: relaxed, bulk_memory: true });
      try {
        const { buffer } = parsed.toBinary({});
        const module = await WebAssembly.compile(buffer as Uint8Array<ArrayBuffer>);
        const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
        return { module, exportNames, relaxedSimd: relaxed, shared };
      } finally {
        parsed.destroy();
      }
    })();
    cache.set(key, p);
  }
  return p;
}
