/**
 * Run-time assembler of the published package (the default of `#assembler`): none, since wabt
 * (5.5 MB) is a build-time dependency only. Fused elementwise kernels of compiled programs are
 * then declined and core runs those ops one by one on the prebuilt kernels.
 */
import type { WasmAssembler } from "./assembler-types.js";

/** No run-time assembler: `assembleSync` always returns null. */
export const assembler: WasmAssembler = { load: () => Promise.resolve(), assembleSync: () => null };
