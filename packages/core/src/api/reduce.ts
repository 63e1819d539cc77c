/**
 * Public reductions (TF.js signatures): `sum(x, axis?, keepDims?)` and friends. `axis` may
 * be a number, a list, negative, or omitted for all axes.
 */
import { runOp, toTensor } from "../engine/dispatch.js";
import { normalizeAxes } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";

/** Sum over `axis` (all axes when omitted). @example sum([[1, 2], [3, 4]], 1) // [3, 7] */
export function sum(x: TensorLike, axis?: number | readonly number[] | null, keepDims = false): Tensor {
  const t = toTensor(x, "sum");
  const out = runOp("sum", [t], { axes: normalizeAxes(axis, t.rank, "sum"), keepDims })[0]!;
  if (t !== x) t.dispose();
  return out;
}

/** Tensor methods contributed by this module. */
export const reduceMethods = { sum };
