/**
 * The WebGPU kernel table: every op of core's table, typed as `KernelTable<GpuBuffer>` so a
 * missing op is a compile error. Elementwise ops come from their IR expressions; the other
 * families from their generators.
 */
import { elementwiseOpNames, type ElementwiseOpName, type KernelTable } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { convKernels } from "./conv.js";
import { fillKernel, irKernel } from "./elementwise.js";
import { indexKernels } from "./index-ops.js";
import { matmulKernels } from "./matmul.js";
import { movementKernels } from "./movement.js";
import { reduceKernels } from "./reduce.js";

/** Build the table for the runtime that `rt()` returns (it changes when the device is reset). */
export function webgpuKernels(rt: () => Runtime): KernelTable<GpuBuffer> {
  const elementwise = Object.fromEntries(elementwiseOpNames.map((op) => [op, irKernel(rt, op)])) as Pick<KernelTable<GpuBuffer>, ElementwiseOpName>;
  return {
    ...elementwise,
    fill: fillKernel(rt),
    ...reduceKernels(rt),
    ...movementKernels(rt),
    ...matmulKernels(rt),
    ...indexKernels(rt),
    ...convKernels(rt),
  };
}
