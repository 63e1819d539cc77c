/**
 * The module around a fused elementwise kernel's function text: the backend's memory import
 * (shared or not) and, where the function calls it, the int32 pow helper.
 */
import { IPOW_HELPER } from "./ir-wasm.js";
import { MAX_PAGES } from "./layout.js";

/** WebAssembly text of a module holding `funcText` (one function from `elementwiseFunc`). */
export function fusedModule(funcText: string, shared: boolean): string {
  const helper = funcText.includes("$ipow") ? IPOW_HELPER : "";
  return `(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))${helper}\n${funcText}\n)`;
}
