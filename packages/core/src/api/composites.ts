/**
 * Ops TF.js users expect: norm and sort, written in public ops (so they differentiate and run on every backend).
 */
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { abs, neg, pow, sqrt, square } from "./elementwise.js";
import { max, min, sum } from "./reduce.js";
import { topk } from "./reduce.js";

/** Which norm `norm` computes: "euclidean" (default), "fro", or a p of 1, 2, Infinity, -Infinity or any other positive number. */
export type NormOrder = "euclidean" | "fro" | number;

/**
 * Vector or matrix norm, as TF.js `tf.norm(x, ord, axis, keepDims)`. With `axis` null (default)
 * `x` is treated as one vector; with one axis, vectors along it; with two axes, matrices.
 * Vector: p = 1 sum|x|, 2 or "euclidean" sqrt(sum x^2), Infinity max|x|, -Infinity min|x|,
 * other p (sum |x|^p)^(1/p). Matrix: "fro"/"euclidean" sqrt(sum x^2), 1 max column sum of |x|,
 * Infinity max row sum, -Infinity min row sum. Matrix 2-norms are not supported.
 * @example norm([3, 4]) // 5
 */
export function norm(x: TensorLike, ord: NormOrder = "euclidean", axis: number | readonly number[] | null = null, keepDims = false): Tensor {
  return tidy(() => {
    const t = toTensor(x, "norm");
    const axes = axis === null ? null : typeof axis === "number" ? [axis] : [...axis];
    if (axes && (axes.length < 1 || axes.length > 2)) throw new InvalidArgumentError(`norm: axis must be null, one axis or two axes, got [${axes.join(", ")}]`);
    const a = abs(t);
    if (axes === null || axes.length === 1) {
      const ax = axes ?? undefined;
      if (ord === "euclidean" || ord === 2) return sqrt(sum(square(t), ax, keepDims));
      if (ord === 1) return sum(a, ax, keepDims);
      if (ord === Infinity) return max(a, ax, keepDims);
      if (ord === -Infinity) return min(a, ax, keepDims);
      if (typeof ord === "number" && ord > 0) return pow(sum(pow(a, ord), ax, keepDims), 1 / ord);
      throw new InvalidArgumentError(`norm: unsupported vector norm order ${String(ord)} (use "euclidean", 1, 2, Infinity, -Infinity or a p > 0)`);
    }
    const [r, c] = axes.map((v) => (v < 0 ? v + t.rank : v)) as [number, number];
    if (r === c || r < 0 || c < 0 || r >= t.rank || c >= t.rank) throw new InvalidArgumentError(`norm: axes [${axes.join(", ")}] must be two distinct axes of a rank-${t.rank} tensor`);
    if (ord === "fro" || ord === "euclidean") return sqrt(sum(square(t), [r, c], keepDims));
    // Reduce one axis, then the other; keep dims on the first so the second index stays valid.
    const rowsThenCols = (first: number, second: number, outer: (y: Tensor, ax: number, k: boolean) => Tensor): Tensor => {
      const s = sum(a, first, true);
      const m = outer(s, second, true);
      return keepDims ? m : sum(m, [r, c], false);
    };
    if (ord === 1) return rowsThenCols(r, c, max);
    if (ord === Infinity) return rowsThenCols(c, r, max);
    if (ord === -Infinity) return rowsThenCols(c, r, min);
    throw new InvalidArgumentError(`norm: unsupported matrix norm order ${String(ord)} (use "fro", "euclidean", 1, Infinity or -Infinity)`);
  });
}

/**
 * The values along the last axis in ascending order (descending with `descending`), computed as
 * `topk(x, n)` (ties keep index order) and, for ascending order, as `-topk(-x, n)`.
 * @example sort([3, 1, 2]) // [1, 2, 3]
 */
export function sort(x: TensorLike, descending = false): Tensor {
  return tidy(() => {
    const t = toTensor(x, "sort");
    if (t.rank === 0) throw new InvalidArgumentError("sort: needs at least one axis, got a scalar");
    const n = t.shape[t.rank - 1]!;
    if (descending) return topk(t, n).values;
    return neg(topk(neg(t), n).values);
  });
}
