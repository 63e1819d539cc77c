/**
 * The kernel module's WebAssembly text, put together from the generators. Used at build
 * time only (scripts/build-kernels.ts assembles it with wabt); the runtime never loads it.
 */
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS, binaryFunc, castFuncs, expHelper, mathHelpers, unaryFunc } from "./elementwise-wat.js";
import { matmulFuncs } from "./matmul-wat.js";
import { memoryFuncs } from "./memory-wat.js";
import { gatherFuncs } from "./movement-wat.js";
import { poolFuncs } from "./pool-wat.js";
import { winogradFuncs } from "./winograd-wat.js";
import { im2colFunc } from "./conv-wat.js";
import { extremumFuncs, sumFuncs } from "./reduce-wat.js";
import { MATMUL_MR, MAX_PAGES } from "./layout.js";
import type { WasmDType } from "./types.js";

/** The module's WebAssembly text: memory `shared` or not, matmul with relaxed-SIMD FMA or mul+add. */
export function kernelText(shared: boolean, fma: boolean): string {
  const parts: string[] = [`(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))`];
  for (const ops of [BINARY_OPS, COMPARE_OPS]) for (const [op, dts] of Object.entries(ops)) for (const dt of Object.keys(dts) as WasmDType[]) parts.push(binaryFunc(op, dt));
  parts.push(expHelper(), mathHelpers(), castFuncs());
  for (const [op, dts] of Object.entries(UNARY_OPS)) for (const dt of Object.keys(dts) as ("f32" | "f64")[]) parts.push(unaryFunc(op, dt));
  parts.push(sumFuncs("f32"), sumFuncs("f64"), extremumFuncs());
  parts.push(matmulFuncs(MATMUL_MR, fma));
  parts.push(memoryFuncs(), im2colFunc(), gatherFuncs(), poolFuncs(), winogradFuncs());
  parts.push(")");
  return parts.join("\n");
}
