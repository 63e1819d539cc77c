/**
 * The `nn` namespace, in TensorFlow's spelling: softmax, logSoftmax and
 * softmaxCrossEntropyWithLogits, which here returns per-example losses (no reduction), as
 * tf.nn.softmax_cross_entropy_with_logits does.
 */
import type { Tensor } from "../tensor.js";
import * as ce from "./cross-entropy.js";

export { softmax, logSoftmax, logSumExp } from "../api/nn.js";

/**
 * Per-example softmax cross-entropy (reduce it yourself, e.g. with `mean`). A gradient of the
 * unreduced result is the gradient of the batch sum, which grows with the batch size; for
 * training use `losses.softmaxCrossEntropyWithLogits` (the mean) or take the mean here.
 * @example mean(nn.softmaxCrossEntropyWithLogits({ labels, logits: predictions }))
 */
export function softmaxCrossEntropyWithLogits(a: Omit<ce.SoftmaxCrossEntropyArgs, "reduction">): Tensor {
  return ce.softmaxCrossEntropyWithLogits({ ...a, reduction: "none" });
}
/** Per-example sparse softmax cross-entropy (integer class ids as labels). */
export function sparseSoftmaxCrossEntropyWithLogits(a: Omit<ce.SparseSoftmaxCrossEntropyArgs, "reduction">): Tensor {
  return ce.sparseSoftmaxCrossEntropyWithLogits({ ...a, reduction: "none" });
}
/** Per-element sigmoid cross-entropy. */
export function sigmoidCrossEntropyWithLogits(a: Omit<ce.SigmoidCrossEntropyArgs, "reduction">): Tensor {
  return ce.sigmoidCrossEntropyWithLogits({ ...a, reduction: "none" });
}
