/**
 * The kernel table: every op of core's table, typed as `KernelTable<WebGlBuffer>` so a missing
 * op is a compile error. Kernels come from one template per family (elementwise, reduce,
 * movement, linalg, index, conv); elementwise ops differ only in their scalar expression.
 */
import type { KernelTable } from "@eager/core/backend";
import type { KernelContext, WebGlBuffer } from "../context.js";
import { convKernels } from "./conv.js";
import { binary, cast, fill, ternary, unary } from "./elementwise.js";
import { binaryCode, unaryCode } from "./expressions.js";
import { indexKernels } from "./index-ops.js";
import { linalgKernels } from "./linalg.js";
import { movementKernels } from "./movement.js";
import { reduceKernels } from "./reduce.js";

/** Every kernel, bound to `ctx`. */
export function webglKernels(ctx: KernelContext): KernelTable<WebGlBuffer> {
  const elementwise: Record<string, unknown> = {};
  for (const op of Object.keys(unaryCode)) elementwise[op] = unary(ctx, op);
  for (const op of Object.keys(binaryCode)) elementwise[op] = binary(ctx, op);
  const table = {
    ...(elementwise as Pick<KernelTable<WebGlBuffer>, ElementwiseOp>),
    where: ternary(ctx, "where"),
    cast: cast(ctx),
    fill: fill(ctx),
    ...reduceKernels(ctx),
    ...movementKernels(ctx),
    ...linalgKernels(ctx),
    ...indexKernels(ctx),
    ...convKernels(ctx),
  };
  return table satisfies KernelTable<WebGlBuffer>;
}

/** Ops whose kernel comes from the unary and binary expression maps. */
type ElementwiseOp = (keyof typeof unaryCode | keyof typeof binaryCode) & keyof KernelTable<WebGlBuffer>;
