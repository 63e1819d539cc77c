/**
 * The kernel table: every required op of core's table, typed as `KernelTable<WebGlBuffer>` so a
 * missing one is a compile error (optional ops it leaves out run as their decompositions).
 * Kernels come from one template per family (elementwise, reduce, movement, linalg, index,
 * conv); elementwise ops differ only in their scalar IR expression (the op record's `expr`).
 */
import { elementwiseOpNames, type ElementwiseOpName, type KernelTable } from "@eager/core/backend";
import type { KernelContext, WebGlBuffer } from "../context.js";
import { convKernels } from "./conv.js";
import { elementwise, fill } from "./elementwise.js";
import { indexKernels } from "./index-ops.js";
import { linalgKernels } from "./linalg.js";
import { movementKernels } from "./movement.js";
import { reduceKernels } from "./reduce.js";

/** Every kernel, bound to `ctx`. */
export function webglKernels(ctx: KernelContext): KernelTable<WebGlBuffer> {
  const ew = Object.fromEntries(elementwiseOpNames.map((op) => [op, elementwise(ctx, op)])) as Pick<KernelTable<WebGlBuffer>, ElementwiseOpName>;
  return {
    ...ew,
    fill: fill(ctx),
    ...reduceKernels(ctx),
    ...movementKernels(ctx),
    ...linalgKernels(ctx),
    ...indexKernels(ctx),
    ...convKernels(ctx),
  } satisfies KernelTable<WebGlBuffer>;
}
