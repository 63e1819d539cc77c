/**
 * The WebGPU kernel table: every op of core's table, typed as `KernelTable<GpuBuffer>` so a
 * missing op is a compile error. Elementwise ops come from the expression map; the other
 * families from their generators.
 */
import type { KernelTable } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { convKernels } from "./conv.js";
import { binaryKernel, castKernel, fillKernel, unaryKernel, whereKernel } from "./elementwise.js";
import { BINARY, UNARY } from "./expressions.js";
import { indexKernels } from "./index-ops.js";
import { matmulKernels } from "./matmul.js";
import { movementKernels } from "./movement.js";
import { reduceKernels } from "./reduce.js";

type Plain = Exclude<keyof typeof UNARY, "clipByValue" | "leakyRelu">;

/** Build the table for the runtime that `rt()` returns (it changes when the device is reset). */
export function webgpuKernels(rt: () => Runtime): KernelTable<GpuBuffer> {
  const unary = Object.fromEntries((Object.keys(UNARY) as (keyof typeof UNARY)[]).map((op) => [op, unaryKernel(rt, op)])) as Pick<KernelTable<GpuBuffer>, Plain>;
  const binary = Object.fromEntries((Object.keys(BINARY) as (keyof typeof BINARY)[]).map((op) => [op, binaryKernel(rt, op)])) as Pick<KernelTable<GpuBuffer>, keyof typeof BINARY>;
  return {
    ...unary,
    ...binary,
    clipByValue: unaryKernel(rt, "clipByValue", (a: { min: number; max: number }) => [a.min, a.max]),
    leakyRelu: unaryKernel(rt, "leakyRelu", (a: { alpha: number }) => [a.alpha]),
    where: whereKernel(rt),
    cast: castKernel(rt),
    fill: fillKernel(rt),
    ...reduceKernels(rt),
    ...movementKernels(rt),
    ...matmulKernels(rt),
    ...indexKernels(rt),
    ...convKernels(rt),
  };
}
