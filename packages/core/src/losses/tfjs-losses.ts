/**
 * TF.js's positional losses: absoluteDifference, logLoss, huberLoss, hingeLoss, cosineDistance,
 * softmaxCrossEntropy and sigmoidCrossEntropy, with TF.js's argument order. With the default reduction
 * ("mean", TF.js's SUM_BY_NONZERO_WEIGHTS) the weighted sum is divided by the number of
 * non-zero weights (every element when no weights are given).
 */
import { abs, add, log, mul, neg, relu, sub } from "../api/elementwise.js";
import { softmaxCrossEntropyWithLogits, sigmoidCrossEntropyWithLogits } from "./cross-entropy.js";
import { huber } from "./regression.js";
import { sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { reduceWeighted, type Reduction } from "./reduction.js";

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
    return reduceWeighted(abs(sub(p, y)), weights, reduction, "absoluteDifference");
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
    return reduceWeighted(v, weights, reduction, "logLoss");
  });
}

/** 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta), weighted and reduced (TF.js `tf.losses.huberLoss`). */
export function huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, delta = 1, reduction?: Reduction): Tensor {
  return tidy(() => reduceWeighted(huber({ labels, predictions, delta, reduction: "none" }), weights, reduction, "huberLoss"));
}

/** max(0, 1 - y p) with labels in {0, 1} mapped to {-1, 1}, weighted and reduced (TF.js `tf.losses.hingeLoss`). */
export function hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
  return tidy(() => {
    const [y, p] = pairOf(labels, predictions, "hingeLoss");
    return reduceWeighted(relu(sub(1, mul(sub(mul(y, 2), 1), p))), weights, reduction, "hingeLoss");
  });
}

/** 1 - sum(labels * predictions) along `axis` (inputs assumed unit-normalized, as in TF.js `tf.losses.cosineDistance`). */
export function cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, weights?: TensorLike, reduction?: Reduction): Tensor {
  return tidy(() => {
    const [y, p] = pairOf(labels, predictions, "cosineDistance");
    return reduceWeighted(sub(1, sum(mul(y, p), axis, true)), weights, reduction, "cosineDistance");
  });
}

/**
 * Softmax cross-entropy of one-hot (or soft) labels and logits over the last axis, per example,
 * weighted and reduced (TF.js `tf.losses.softmaxCrossEntropy`; `labelSmoothing` mixes the labels
 * with the uniform distribution).
 */
export function softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
  return tidy(() => {
    const z = toTensor(logits, "softmaxCrossEntropy: logits");
    let y = toTensor(onehotLabels, "softmaxCrossEntropy: onehotLabels", z.dtype);
    if (labelSmoothing > 0) y = add(mul(y, 1 - labelSmoothing), labelSmoothing / z.shape[z.rank - 1]!);
    return reduceWeighted(softmaxCrossEntropyWithLogits({ labels: y, logits: z, reduction: "none" }), weights, reduction, "softmaxCrossEntropy");
  });
}

/** Sigmoid cross-entropy of independent labels and logits, per element, weighted and reduced (TF.js `tf.losses.sigmoidCrossEntropy`). */
export function sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
  return tidy(() => {
    const z = toTensor(logits, "sigmoidCrossEntropy: logits");
    let y = toTensor(multiClassLabels, "sigmoidCrossEntropy: multiClassLabels", z.dtype);
    if (labelSmoothing > 0) y = add(mul(y, 1 - labelSmoothing), 0.5 * labelSmoothing);
    return reduceWeighted(sigmoidCrossEntropyWithLogits({ labels: y, logits: z, reduction: "none" }), weights, reduction, "sigmoidCrossEntropy");
  });
}
