/**
 * Composite neural-network functions built from primitives: logSumExp, softmax, logSoftmax,
 * moments, variance. No kernels of their own, so gradients (of any order) come from the
 * primitives. A backend may register a fused kernel for one, checked against these.
 */
import { asCalled } from "./caller.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { normalizeAxes } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { stopGradient } from "./autodiff.js";
import { div, exp, isFinite, log, square, sub, add, where } from "./elementwise.js";
import { reshape } from "./movement.js";
import { max, mean, normalizeOneAxis, sum, type AxisArg } from "./reduce.js";

/** The shape after reducing `axes` without keeping them. */
function dropAxes(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** One axis as a list ([] for a scalar, which has none to reduce). */
function oneAxis(axis: number, rank: number, op: string): number[] {
  const a = normalizeOneAxis(axis, rank, op);
  return rank === 0 ? [] : [a];
}

/**
 * max(x) over `axes` (kept as 1), as a constant for shifting: stopGradient, and 0 where the
 * max is not finite (all -Infinity, or empty) so the shift never produces NaN by itself.
 * The shift cancels mathematically, so stopping its gradient changes no derivative.
 */
function shiftFor(x: Tensor, axes: readonly number[]): Tensor {
  const m = stopGradient(max(x, axes, true));
  return where(isFinite(m), m, 0);
}

/**
 * log(sum(exp(x))) over `axis` (all axes when omitted), computed stably as
 * m + log(sum(exp(x - m))) with m = max(x).
 * @example logSumExp([1000, 1000]) // 1000.6931
 */
export function logSumExp(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return asCalled("logSumExp", () => {
    const t = toTensor(x, "logSumExp");
    const axes = normalizeAxes(axis, t.rank, "logSumExp");
    const out = tidy(() => {
      const m = shiftFor(t, axes);
      const lse = add(log(sum(exp(sub(t, m)), axes, true)), m);
      return keepDims ? lse : reshape(lse, dropAxes(t.shape, axes));
    });
    if (t !== x) t.dispose();
    return out;
  });
}

/**
 * exp(x) / sum(exp(x)) along `dim` (default the last), stable for large logits.
 * @example softmax([1000, 0]) // [1, 0]
 */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  return asCalled("softmax", () => {
    const t = toTensor(logits, "softmax");
    const axes = oneAxis(dim, t.rank, "softmax");
    const out = tidy(() => {
      const e = exp(sub(t, shiftFor(t, axes)));
      return div(e, sum(e, axes, true));
    });
    if (t !== logits) t.dispose();
    return out;
  });
}

/**
 * log(softmax(x)) along `axis` (default the last), computed as x - logSumExp(x).
 * @example logSoftmax([0, 0]) // [-0.6931, -0.6931]
 */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  return asCalled("logSoftmax", () => {
    const t = toTensor(logits, "logSoftmax");
    const axes = oneAxis(axis, t.rank, "logSoftmax");
    const out = tidy(() => sub(t, logSumExp(t, axes, true)));
    if (t !== logits) t.dispose();
    return out;
  });
}

/**
 * Mean and (biased) variance over `axes` (all when omitted): variance = mean((x - mean)^2).
 * @example moments([1, 2, 3, 4]) // { mean: 2.5, variance: 1.25 }
 */
export function moments(x: TensorLike, axes?: AxisArg, keepDims = false): { mean: Tensor; variance: Tensor } {
  return asCalled("moments", () => {
    const t = toTensor(x, "moments");
    const list = normalizeAxes(axes, t.rank, "moments");
    const out = tidy(() => {
      const m = mean(t, list, true);
      const v = mean(square(sub(t, m)), list, true);
      if (keepDims) return { mean: m, variance: v };
      const shape = dropAxes(t.shape, list);
      return { mean: reshape(m, shape), variance: reshape(v, shape) };
    });
    if (t !== x) t.dispose();
    return out;
  });
}

/**
 * Biased variance over `axis` (all when omitted): mean((x - mean(x))^2).
 * @example variance([[1, 3], [2, 2]], 1) // [1, 0]
 */
export function variance(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return asCalled("variance", () => {
    const t = toTensor(x, "variance");
    const list = normalizeAxes(axis, t.rank, "variance");
    const out = tidy(() => mean(square(sub(t, mean(t, list, true))), list, keepDims));
    if (t !== x) t.dispose();
    return out;
  });
}

/** Tensor methods contributed by this module. */
export const nnMethods = { logSumExp, softmax, logSoftmax, moments, variance };
