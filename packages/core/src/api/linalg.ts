/**
 * Public linear algebra: matmul (TF.js signature), dot and outer.
 */
import { runOp } from "../engine/dispatch.js";
import type { Tensor, TensorLike } from "../tensor.js";

/**
 * Matrix product of the last two dimensions; leading dimensions broadcast as batches.
 * @example matmul([[2]], [[2]]) // Tensor([[4]], shape=[1,1], dtype=float32)
 */
export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  return runOp("matmul", [a, b], { transposeA, transposeB })[0]!;
}

/** Tensor methods contributed by this module. */
export const linalgMethods = { matmul };
