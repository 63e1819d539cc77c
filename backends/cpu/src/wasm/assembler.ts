/**
 * The run-time assembler behind `#assembler`: a small, dependency-free WebAssembly text
 * assembler (./asm/) for the text our generators emit. Fused kernels of compiled programs are
 * assembled with it wherever the package runs, from source or from dist.
 */
import { assemble } from "./asm/assemble.js";
import type { WasmAssembler } from "./assembler-types.js";

export { assemble } from "./asm/assemble.js";
export { WatError } from "./asm/reader.js";

/** Assembles text synchronously; nothing to load. */
export const assembler: WasmAssembler = {
  load: () => Promise.resolve(),
  assembleSync(text: string) {
    const binary = assemble(text);
    return { module: new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>), binary };
  },
};
