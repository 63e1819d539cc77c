/**
 * Public reductions (TF.js signatures): sum, mean, prod, max, min, all, any, argMax, argMin,
 * cumsum, topk. `axis` may be a number, a list, negative, or omitted for all axes; it is
 * normalized here so the op table only ever sees sorted, non-negative axes.
 */
import { runOp, toTensor } from "../engine/dispatch.js";
import { InvalidArgumentError } from "../errors.js";
import { normalizeAxes, normalizeAxis } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";

/** An axis argument: one axis, several, or null/undefined for all. Negative counts from the end. */
export type AxisArg = number | readonly number[] | null;

type ReduceName = "sum" | "mean" | "prod" | "max" | "min" | "all" | "any";

function flag(value: unknown, name: string, op: string): boolean {
  if (typeof value !== "boolean") throw new InvalidArgumentError(`${op}: ${name} must be a boolean, got ${String(value)}`);
  return value;
}

function reduce(op: ReduceName, x: TensorLike, axis: AxisArg | undefined, keepDims: boolean): Tensor {
  const t = toTensor(x, op);
  try {
    return runOp(op, [t], { axes: normalizeAxes(axis, t.rank, op), keepDims: flag(keepDims, "keepDims", op) })[0]!;
  } finally {
    if (t !== x) t.dispose();
  }
}

/**
 * Sum over `axis` (all axes when omitted). bool sums as int32; over no elements it is 0.
 * @example sum([[1, 2], [3, 4]], 1) // [3, 7]
 */
export function sum(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("sum", x, axis, keepDims);
}

/**
 * Mean over `axis`. int32 and bool give float32; over no elements it is NaN.
 * @example mean([[1, 2], [3, 4]], -1) // [1.5, 3.5]
 */
export function mean(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("mean", x, axis, keepDims);
}

/**
 * Product over `axis`. bool multiplies as int32; over no elements it is 1.
 * @example prod([[1, 2], [3, 4]], 0) // [3, 8]
 */
export function prod(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("prod", x, axis, keepDims);
}

/**
 * Maximum over `axis`; NaN propagates; over no elements -Infinity (int32: -2147483648).
 * @example max([[1, 5], [3, 4]], 1) // [5, 4]
 */
export function max(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("max", x, axis, keepDims);
}

/**
 * Minimum over `axis`; NaN propagates; over no elements +Infinity (int32: 2147483647).
 * @example min([[1, 5], [3, 4]], 1) // [1, 3]
 */
export function min(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("min", x, axis, keepDims);
}

/**
 * Logical AND of a bool tensor over `axis` (true over no elements).
 * @example all([[true, false], [true, true]], 1) // [false, true]
 */
export function all(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("all", x, axis, keepDims);
}

/**
 * Logical OR of a bool tensor over `axis` (false over no elements).
 * @example any([[true, false], [false, false]], 1) // [true, false]
 */
export function any(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return reduce("any", x, axis, keepDims);
}

/**
 * One axis in [0, rank), negative counting from the end. A scalar is treated as one element
 * along axis 0, so 0 and -1 both name it.
 */
export function normalizeOneAxis(axis: number, rank: number, op: string): number {
  if (rank === 0 && (axis === 0 || axis === -1)) return 0;
  return normalizeAxis(axis, rank, op);
}

function argReduce(op: "argMax" | "argMin", x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, op);
  const out = runOp(op, [t], { axis: normalizeOneAxis(axis, t.rank, op) })[0]!;
  if (t !== x) t.dispose();
  return out;
}

/**
 * int32 index of the largest value along `axis` (default 0, as in TF.js); first on ties.
 * @example argMax([[1, 5], [7, 4]], 1) // [1, 0]
 */
export function argMax(x: TensorLike, axis = 0): Tensor {
  return argReduce("argMax", x, axis);
}

/**
 * int32 index of the smallest value along `axis` (default 0); first on ties.
 * @example argMin([[1, 5], [7, 4]], 1) // [0, 1]
 */
export function argMin(x: TensorLike, axis = 0): Tensor {
  return argReduce("argMin", x, axis);
}

/**
 * Running sum along `axis` (default 0). `exclusive` leaves out each element itself;
 * `reverse` sums from the end.
 * @example cumsum([1, 2, 3]) // [1, 3, 6]; cumsum([1, 2, 3], 0, true, true) // [5, 3, 0]
 */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const t = toTensor(x, "cumsum");
  const attrs = { axis: normalizeOneAxis(axis, t.rank, "cumsum"), exclusive: flag(exclusive, "exclusive", "cumsum"), reverse: flag(reverse, "reverse", "cumsum") };
  const out = runOp("cumsum", [t], attrs)[0]!;
  if (t !== x) t.dispose();
  return out;
}

/**
 * The `k` largest entries along the last axis, and their int32 indices. With `sorted`
 * (default) they come largest first; otherwise in index order. Ties: lower index first.
 * @example topk([1, 9, 3, 9], 2) // { values: [9, 9], indices: [1, 3] }
 */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const t = toTensor(x, "topk");
  const [values, indices] = runOp("topk", [t], { k, sorted: flag(sorted, "sorted", "topk") });
  if (t !== x) t.dispose();
  return { values: values!, indices: indices! };
}

/** Tensor methods contributed by this module. */
export const reduceMethods = { sum, mean, prod, max, min, all, any, argMax, argMin, cumsum, topk };
