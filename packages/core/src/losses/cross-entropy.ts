/**
 * Cross-entropy losses on logits, computed stably: softmax cross-entropy as
 * logSumExp(logits) - sum(labels * logits) (its gradient is softmax(logits) - labels), the
 * sparse form with integer class ids, and sigmoid cross-entropy for independent labels.
 */
import { abs, cast, equal, mul, neg, relu, softplus, sub, add } from "../api/elementwise.js";
import { range } from "../api/creation.js";
import { reshape } from "../api/movement.js";
import { logSumExp } from "../api/nn.js";
import { sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { getBackend } from "../engine/registry.js";
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { reduceLoss, type Reduction } from "./reduction.js";

/** Arguments of softmaxCrossEntropyWithLogits. */
export interface SoftmaxCrossEntropyArgs {
  /** Probabilities over classes (one-hot or soft), same shape as logits. */
  readonly labels: TensorLike;
  /** Unnormalized log-probabilities [..., classes]. */
  readonly logits: TensorLike;
  /** Default "mean" over examples. */
  readonly reduction?: Reduction;
}

function args(a: unknown, where: string): asserts a is Record<string, unknown> {
  if (typeof a !== "object" || a === null) throw new InvalidArgumentError(`${where}: expects an options object like { labels, logits }`);
}

/**
 * Cross-entropy between `labels` and softmax(`logits`) over the last axis; per example it is
 * logSumExp(logits) - sum(labels * logits).
 * @example softmaxCrossEntropyWithLogits({ labels: [[0, 1]], logits: [[0, 0]] }) // ln 2 ≈ 0.693
 */
export function softmaxCrossEntropyWithLogits(a: SoftmaxCrossEntropyArgs): Tensor {
  const where = "softmaxCrossEntropyWithLogits";
  args(a, where);
  const perExample = tidy(() => {
    const logits = toTensor(a.logits, `${where}: logits`);
    const labels = toTensor(a.labels, `${where}: labels`, logits.dtype);
    if (!shapesEqual(labels.shape, logits.shape))
      throw new ShapeError(`${where}: labels ${shapeStr(labels.shape)} and logits ${shapeStr(logits.shape)} must have the same shape`);
    if (logits.rank < 1) throw new ShapeError(`${where}: logits need a class axis, got a scalar`);
    // loss = logsumexp(z) - sum(y * z); d/dz = softmax(z) * sum(y) - y = softmax(z) - y for distributions y
    return sub(logSumExp(logits, -1), sum(mul(labels, logits), -1));
  });
  return reduceLoss(perExample, a.reduction, where);
}

/** Arguments of sparseSoftmaxCrossEntropyWithLogits. */
export interface SparseSoftmaxCrossEntropyArgs {
  /** Class ids [...], integers in [0, classes). */
  readonly labels: TensorLike;
  /** Logits [..., classes]. */
  readonly logits: TensorLike;
  readonly reduction?: Reduction;
}

/**
 * Softmax cross-entropy with integer class ids as labels.
 * @example sparseSoftmaxCrossEntropyWithLogits({ labels: tensor([1], [1], "int32"), logits: [[0, 0]] }) // ≈ 0.693
 */
export function sparseSoftmaxCrossEntropyWithLogits(a: SparseSoftmaxCrossEntropyArgs): Tensor {
  const where = "sparseSoftmaxCrossEntropyWithLogits";
  args(a, where);
  const perExample = tidy(() => {
    const logits = toTensor(a.logits, `${where}: logits`);
    const labels = toTensor(a.labels, `${where}: labels`, "int32");
    if (labels.dtype === "bool") throw new DTypeError(`${where}: labels must be integer class ids, got ${labels.describe()}`);
    if (logits.rank !== labels.rank + 1 || !shapesEqual(logits.shape.slice(0, -1), labels.shape))
      throw new ShapeError(`${where}: logits ${shapeStr(logits.shape)} must be labels' shape ${shapeStr(labels.shape)} plus a class axis`);
    const classes = logits.shape[logits.rank - 1]!;
    const ids = labels.dtype === "int32" ? labels : cast(labels, "int32");
    // Labels are range-checked where they can be read: not on a device without synchronous reads, nor while traced by compile.
    const v = !ids.isSymbolic && getBackend(ids.device).capabilities.syncRead ? ids.dataSync() : [];
    for (let i = 0; i < v.length; i++)
      if (!(v[i]! >= 0 && v[i]! < classes)) throw new InvalidArgumentError(`${where}: label ${v[i]} at index ${i} is outside [0, ${classes})`);
    const oneHot = cast(equal(reshape(ids, [...ids.shape, 1]), range(0, classes, 1, "int32")), logits.dtype);
    return sub(logSumExp(logits, -1), sum(mul(oneHot, logits), -1));
  });
  return reduceLoss(perExample, a.reduction, where);
}

/** Arguments of sigmoidCrossEntropyWithLogits. */
export interface SigmoidCrossEntropyArgs {
  /** Targets in [0, 1], same shape as logits. */
  readonly labels: TensorLike;
  readonly logits: TensorLike;
  /** Default "mean" over all elements. */
  readonly reduction?: Reduction;
}

/**
 * Binary cross-entropy per element on logits: max(x, 0) - x z + log(1 + e^-|x|).
 * @example sigmoidCrossEntropyWithLogits({ labels: [1], logits: [0] }) // ln 2
 */
export function sigmoidCrossEntropyWithLogits(a: SigmoidCrossEntropyArgs): Tensor {
  const where = "sigmoidCrossEntropyWithLogits";
  args(a, where);
  const perElement = tidy(() => {
    const x = toTensor(a.logits, `${where}: logits`);
    const z = toTensor(a.labels, `${where}: labels`, x.dtype);
    if (!shapesEqual(z.shape, x.shape)) throw new ShapeError(`${where}: labels ${shapeStr(z.shape)} and logits ${shapeStr(x.shape)} must have the same shape`);
    return add(sub(relu(x), mul(x, z)), softplus(neg(abs(x))));
  });
  return reduceLoss(perElement, a.reduction, where);
}
