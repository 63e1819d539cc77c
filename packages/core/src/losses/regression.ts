/**
 * Regression losses per element: mean squared error and Huber (quadratic within `delta`,
 * linear beyond). Reduced over all elements ("mean" by default).
 */
import { abs, minimum, mul, square, sub, add } from "../api/elementwise.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { reduceLoss, reduceWeighted, type Reduction } from "./reduction.js";

/** Arguments of the regression losses. */
export interface RegressionArgs {
  readonly labels: TensorLike;
  readonly predictions: TensorLike;
  /** Default "mean" over all elements. */
  readonly reduction?: Reduction;
}

function pairOf(a: RegressionArgs, where: string): [Tensor, Tensor] {
  if (typeof a !== "object" || a === null) throw new InvalidArgumentError(`${where}: expects an options object like { labels, predictions }`);
  const p = toTensor(a.predictions, `${where}: predictions`);
  const y = toTensor(a.labels, `${where}: labels`, p.dtype);
  if (!shapesEqual(p.shape, y.shape)) throw new ShapeError(`${where}: labels ${shapeStr(y.shape)} and predictions ${shapeStr(p.shape)} must have the same shape`);
  return [y, p];
}

/**
 * (predictions - labels)^2. Also takes TF.js's positional form
 * `meanSquaredError(labels, predictions, weights?, reduction?)` (the mean over non-zero weights).
 * @example meanSquaredError({ labels: [0, 0], predictions: [1, 3] }) // 5
 * @example meanSquaredError([0, 0], [1, 3]) // 5
 */
export function meanSquaredError(a: RegressionArgs): Tensor;
export function meanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor;
export function meanSquaredError(a: RegressionArgs | TensorLike, predictions?: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
  if (predictions === undefined) return meanSquaredErrorOf(a as RegressionArgs);
  return tidy(() => reduceWeighted(meanSquaredErrorOf({ labels: a as TensorLike, predictions, reduction: "none" }), weights, reduction, "meanSquaredError"));
}

function meanSquaredErrorOf(a: RegressionArgs): Tensor {
  const v = tidy(() => {
    const [y, p] = pairOf(a, "meanSquaredError");
    return square(sub(p, y));
  });
  return reduceLoss(v, a.reduction, "meanSquaredError");
}

/**
 * Huber loss: 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta), written as
 * 0.5 q^2 + delta (|e| - q) with q = min(|e|, delta).
 * @example huber({ labels: [0], predictions: [3], delta: 1 }) // 2.5
 */
export function huber(a: RegressionArgs & { delta?: number }): Tensor {
  const delta = a?.delta ?? 1;
  if (!(delta > 0)) throw new InvalidArgumentError(`huber: delta must be > 0, got ${delta}`);
  const v = tidy(() => {
    const [y, p] = pairOf(a, "huber");
    const e = abs(sub(p, y));
    const q = minimum(e, delta);
    return add(mul(square(q), 0.5), mul(sub(e, q), delta));
  });
  return reduceLoss(v, a.reduction, "huber");
}
