/**
 * The `metrics` namespace: streaming metrics (Mean, Accuracy), TF.js's functional metrics
 * (binaryAccuracy, categoricalAccuracy, ...), a training progress bar and a loss-curve SVG writer.
 * @example const acc = new metrics.Accuracy(); acc.update(labels, logits); acc.result()
 */
export { Metric, Mean } from "./mean.js";
export { Accuracy } from "./accuracy.js";
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from "./progress.js";
export { LossCurve } from "./loss-curve.js";
export {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  precision,
  recall,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  cosineProximity,
  mse,
  mae,
  mape,
} from "./functional.js";
