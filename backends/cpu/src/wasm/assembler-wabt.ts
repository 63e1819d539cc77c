/**
 * Run-time assembler for this repository's sources (the `source` condition of `#assembler`):
 * wabt, a devDependency, assembles the fused kernels of compiled programs. The published
 * package resolves `#assembler` to assembler-none.ts instead.
 */
import type { WasmAssembler } from "./assembler-types.js";

type Wabt = Awaited<ReturnType<typeof import("wabt")>>;

let loading: Promise<void> | null = null;
let wabt: Wabt | null = null;

/** Load wabt once (at backend init, beside compiling the prebuilt kernels). */
function load(): Promise<void> {
  loading ??= import("wabt").then(async (m) => {
    wabt = await (m.default as unknown as () => Promise<Wabt>)();
  });
  return loading;
}

/** Assemble a small module synchronously; null until `load` has resolved. */
function assembleSync(text: string): { module: WebAssembly.Module; binary: Uint8Array } | null {
  if (wabt === null) return null;
  const parsed = wabt.parseWat("eager-fused.wat", text, { simd: true, threads: true, bulk_memory: true });
  try {
    const binary = new Uint8Array(parsed.toBinary({}).buffer);
    return { module: new WebAssembly.Module(binary), binary };
  } finally {
    parsed.destroy();
  }
}

/** wabt, loaded on first use. */
export const assembler: WasmAssembler = { load, assembleSync };
