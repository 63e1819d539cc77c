/**
 * The `losses` namespace. Every loss takes an options object and a `reduction`
 * ("none" | "sum" | "mean", default "mean").
 * @example losses.softmaxCrossEntropyWithLogits({ labels, logits })
 */
export { softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, sigmoidCrossEntropyWithLogits } from "./cross-entropy.js";
export type { SoftmaxCrossEntropyArgs, SparseSoftmaxCrossEntropyArgs, SigmoidCrossEntropyArgs } from "./cross-entropy.js";
export { meanSquaredError, huber, type RegressionArgs } from "./regression.js";
export { reduceLoss, type Reduction } from "./reduction.js";
export { absoluteDifference, logLoss, huberLoss, hingeLoss, cosineDistance, softmaxCrossEntropy, sigmoidCrossEntropy } from "./tfjs-losses.js";
export { reduceWeighted } from "./reduction.js";
