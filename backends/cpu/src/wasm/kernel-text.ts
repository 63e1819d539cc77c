/**
 * The kernel module's WebAssembly text, put together from the generators (the elementwise
 * kernels from the op table's scalar IR included). Used at build time only
 * (scripts/build-kernels.ts assembles it with wabt); the runtime never loads it.
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
import { MATMUL_MR, MAX_PAGES } from "./layout.js";

/** The module's WebAssembly text: memory `shared` or not, matmul with relaxed-SIMD FMA or mul+add. */
export function kernelText(shared: boolean, fma: boolean): string {
  const parts: string[] = [`(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))`];
  parts.push(elementwiseFuncs().text);
  parts.push(sumFuncs("f32"), sumFuncs("f64"), sumFuncs("i32"), extremumFuncs());
  parts.push(matmulFuncs(MATMUL_MR, fma));
  parts.push(memoryFuncs(), im2colFunc(), gatherFuncs(), indexFuncs(), poolFuncs(), winogradFuncs());
  parts.push(")");
  return parts.join("\n");
}
