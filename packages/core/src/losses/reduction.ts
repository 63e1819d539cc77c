/**
 * How a loss turns per-example (or per-element) values into what it returns: "none" keeps
 * them, "sum" adds them, "mean" (the default) averages them.
 */
import { cast, mul, notEqual } from "../api/elementwise.js";
import { broadcastTo } from "../api/movement.js";
import { mean, sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import type { TensorLike } from "../tensor.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** Reduction of a loss. */
export type Reduction = "none" | "sum" | "mean";

/** Apply `reduction` to per-example losses (disposing them when reduced). */
export function reduceLoss(values: Tensor, reduction: Reduction | undefined, where: string): Tensor {
  switch (reduction ?? "mean") {
    case "none":
      return values;
    case "sum": {
      const s = sum(values);
      values.dispose();
      return s;
    }
    case "mean": {
      const m = mean(values);
      values.dispose();
      return m;
    }
    default:
      throw new InvalidArgumentError(`${where}: reduction must be "none", "sum" or "mean", got ${JSON.stringify(reduction)}`);
  }
}

/**
 * TF.js's weighted reduction: multiply by `weights` (broadcast), then "none", "sum", or "mean"
 * (TF.js's SUM_BY_NONZERO_WEIGHTS: the sum divided by the number of non-zero weights, or by the
 * element count without weights). Does not dispose `values` (call it inside tidy).
 */
export function reduceWeighted(values: Tensor, weights: TensorLike | undefined, reduction: Reduction | undefined, where: string): Tensor {
  const w = weights === undefined ? null : broadcastTo(toTensor(weights, `${where}: weights`, values.dtype), values.shape);
  const v = w ? mul(values, w) : values;
  switch (reduction ?? "mean") {
    case "none":
      return v;
    case "sum":
      return sum(v);
    case "mean": {
      const n = w ? sum(cast(notEqual(w, 0), values.dtype)) : values.size;
      return sum(v).div(n);
    }
    default:
      throw new InvalidArgumentError(`${where}: reduction must be "none", "sum" or "mean", got ${JSON.stringify(reduction)}`);
  }
}

