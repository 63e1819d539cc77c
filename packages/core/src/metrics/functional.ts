/**
 * TF.js's functional metrics (`tf.metrics.binaryAccuracy(yTrue, yPred)`, ...): plain functions
 * of labels and predictions with TF.js's signatures and meaning. Per-example metrics reduce
 * over the last axis and return one value per example; precision and recall return a scalar.
 */
import { abs, cast, clipByValue, div, equal, greater, log, logicalAnd, maximum, mul, neg, square, sub, add } from "../api/elementwise.js";
import { argMax, mean, sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { sparseSoftmaxCrossEntropyWithLogits } from "../losses/cross-entropy.js";

const EPS = 1e-7;

function pair(yTrue: TensorLike, yPred: TensorLike, where: string, sameShape = true): [Tensor, Tensor] {
  const p = toTensor(yPred, `${where}: yPred`);
  const y = toTensor(yTrue, `${where}: yTrue`, p.dtype);
  if (sameShape && !shapesEqual(p.shape, y.shape)) throw new ShapeError(`${where}: yTrue ${shapeStr(y.shape)} and yPred ${shapeStr(p.shape)} must have the same shape`);
  return [y, p];
}

/** Per example: the fraction of elements where (yPred > 0.5) equals yTrue (0/1 labels), over the last axis. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "binaryAccuracy");
    return mean(cast(equal(y, cast(greater(p, 0.5), y.dtype)), "float32"), -1);
  });
}

/** Per example: 1 where argMax(yPred) equals argMax(yTrue) (one-hot labels), else 0. */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "categoricalAccuracy");
    return cast(equal(argMax(y, -1), argMax(p, -1)), "float32");
  });
}

/** Per example: 1 where argMax(yPred) equals the class id yTrue (shape yPred's without the class axis, or with a last axis of 1). */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const p = toTensor(yPred, "sparseCategoricalAccuracy: yPred");
    let y = toTensor(yTrue, "sparseCategoricalAccuracy: yTrue", "int32");
    if (y.rank === p.rank && y.shape[y.rank - 1] === 1) y = y.reshape(y.shape.slice(0, -1));
    if (!shapesEqual(y.shape, p.shape.slice(0, -1))) throw new ShapeError(`sparseCategoricalAccuracy: yTrue ${shapeStr(y.shape)} must be yPred's shape ${shapeStr(p.shape)} without the class axis`);
    return cast(equal(cast(y, "int32"), argMax(p, -1)), "float32");
  });
}

function confusion(yTrue: TensorLike, yPred: TensorLike, where: string): { tp: Tensor; fp: Tensor; fn: Tensor } {
  const [y, p] = pair(yTrue, yPred, where);
  const truth = greater(y, 0.5);
  const pred = greater(p, 0.5);
  const f = (t: Tensor) => sum(cast(t, "float32"));
  return { tp: f(logicalAnd(truth, pred)), fp: f(logicalAnd(truth.logicalNot(), pred)), fn: f(logicalAnd(truth, pred.logicalNot())) };
}

/** tp / (tp + fp) over all elements, thresholded at 0.5 (0 when nothing is predicted positive). A scalar. */
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const { tp, fp } = confusion(yTrue, yPred, "precision");
    return div(tp, maximum(add(tp, fp), EPS));
  });
}

/** tp / (tp + fn) over all elements, thresholded at 0.5 (0 when there are no positives). A scalar. */
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const { tp, fn } = confusion(yTrue, yPred, "recall");
    return div(tp, maximum(add(tp, fn), EPS));
  });
}

/** Per example: mean over the last axis of -(y log p + (1 - y) log(1 - p)), p (probabilities) clipped to [1e-7, 1 - 1e-7]. */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p0] = pair(yTrue, yPred, "binaryCrossentropy");
    const p = clipByValue(p0, EPS, 1 - EPS);
    return mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))), -1);
  });
}

/** Per example: -sum(yTrue log yPred) over the last axis, yPred (probabilities) normalized to sum 1 and clipped. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p0] = pair(yTrue, yPred, "categoricalCrossentropy");
    const p = clipByValue(div(p0, sum(p0, -1, true)), EPS, 1 - EPS);
    return neg(sum(mul(y, log(p)), -1));
  });
}

/** Per example: -log yPred[yTrue], yPred probabilities with a class axis and yTrue class ids. */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const p = toTensor(yPred, "sparseCategoricalCrossentropy: yPred");
    let y = toTensor(yTrue, "sparseCategoricalCrossentropy: yTrue", "int32");
    if (y.rank === p.rank && y.shape[y.rank - 1] === 1) y = y.reshape(y.shape.slice(0, -1));
    const logits = log(clipByValue(div(p, sum(p, -1, true)), EPS, 1 - EPS));
    return sparseSoftmaxCrossEntropyWithLogits({ labels: cast(y, "int32"), logits, reduction: "none" });
  });
}

/** Per example: mean over the last axis of (yPred - yTrue)^2. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "meanSquaredError");
    return mean(square(sub(p, y)), -1);
  });
}

/** Per example: mean over the last axis of |yPred - yTrue|. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "meanAbsoluteError");
    return mean(abs(sub(p, y)), -1);
  });
}

/** Per example: 100 * mean over the last axis of |(yTrue - yPred) / max(|yTrue|, 1e-7)|. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "meanAbsolutePercentageError");
    return mul(mean(abs(div(sub(y, p), maximum(abs(y), EPS))), -1), 100);
  });
}

/** Per example: -cosine similarity of yTrue and yPred along the last axis (TF.js's sign). */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [y, p] = pair(yTrue, yPred, "cosineProximity");
    const unit = (t: Tensor) => div(t, maximum(square(t).sum(-1, true).sqrt(), EPS));
    return neg(sum(mul(unit(y), unit(p)), -1));
  });
}

/** TF.js aliases: `mse`, `mae`, `mape`. */
export { meanSquaredError as mse, meanAbsoluteError as mae, meanAbsolutePercentageError as mape };
