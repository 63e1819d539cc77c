/** The interface of the run-time WebAssembly assembler behind `#assembler` (./assembler.ts). */

/** Assembles WebAssembly text into modules while the backend runs. */
export interface WasmAssembler {
  /** Prepare the assembler (resolves when `assembleSync` can be used). */
  load(): Promise<void>;
  /** Assemble `text` into a compiled module and its bytes; null where no assembler is available. */
  assembleSync(text: string): { module: WebAssembly.Module; binary: Uint8Array } | null;
}
