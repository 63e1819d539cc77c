/**
 * TF.js's positional losses `absoluteDifference(labels, predictions, weights?, reduction?)` and
 * `logLoss(labels, predictions, weights?, epsilon?, reduction?)`. With the default reduction
 * ("mean", TF.js's SUM_BY_NONZERO_WEIGHTS) the weighted sum is divided by the number of
 * non-zero weights (every element when no weights are given).
 */
import { abs, add, cast, log, mul, neg, notEqual, sub } from "../api/elementwise.js";
import { broadcastTo } from "../api/movement.js";
import { sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import type { Reduction } from "./reduction.js";

function weighted(values: Tensor, weights: TensorLike | undefined, reduction: Reduction | undefined, where: string): Tensor {
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

function pairOf(labels: TensorLike, predictions: TensorLike, where: string): [Tensor, Tensor] {
  const p = toTensor(predictions, `${where}: predictions`);
  const y = toTensor(labels, `${where}: labels`, p.dtype);
  if (!shapesEqual(p.shape, y.shape)) throw new ShapeError(`${where}: labels ${shapeStr(y.shape)} and predictions ${shapeStr(p.shape)} must have the same shape`);
  return [y, p];
}

/**
 * |predictions - labels|, weighted and reduced (TF.js `tf.losses.absoluteDifference`).
 * @example absoluteDifference([0, 0], [1, -3]) // 2
 */
export function absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
  return tidy(() => {
    const [y, p] = pairOf(labels, predictions, "absoluteDifference");
    return weighted(abs(sub(p, y)), weights, reduction, "absoluteDifference");
  });
}

/**
 * -(y log(p + eps) + (1 - y) log(1 - p + eps)) for probabilities p, weighted and reduced
 * (TF.js `tf.losses.logLoss`).
 * @example logLoss([1], [0.5]) // ≈ 0.693
 */
export function logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, epsilon = 1e-7, reduction?: Reduction): Tensor {
  return tidy(() => {
    const [y, p] = pairOf(labels, predictions, "logLoss");
    const v = neg(add(mul(y, log(add(p, epsilon))), mul(sub(1, y), log(add(sub(1, p), epsilon)))));
    return weighted(v, weights, reduction, "logLoss");
  });
}
