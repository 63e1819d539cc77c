/**
 * Accuracy: the fraction of examples whose predicted class (argMax of predictions over the
 * last axis) equals the label, given as class ids or as one-hot rows.
 */
import { cast, equal } from "../api/elementwise.js";
import { argMax, sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { TensorLike } from "../tensor.js";
import { Metric } from "./mean.js";

/**
 * Classification accuracy.
 * @example const acc = new Accuracy(); acc.update(tensor([1, 0], [2], "int32"), tensor([[0, 1], [0, 1]])); acc.result() // 0.5
 */
export class Accuracy extends Metric {
  /** Count correct predictions: labels [n] (ids) or [n, classes] (one-hot); predictions [n, classes]. */
  update(labels: TensorLike, predictions: TensorLike): void {
    const correct = tidy(() => {
      const p = toTensor(predictions, "Accuracy.update: predictions");
      const y = toTensor(labels, "Accuracy.update: labels", "int32");
      if (p.rank < 1) throw new ShapeError(`Accuracy.update: predictions need a class axis, got ${p.describe()}`);
      const predicted = argMax(p, p.rank - 1);
      let ids;
      if (shapesEqual(y.shape, p.shape)) ids = argMax(y, y.rank - 1);
      else if (shapesEqual(y.shape, p.shape.slice(0, -1))) ids = cast(y, "int32");
      else throw new ShapeError(`Accuracy.update: labels ${shapeStr(y.shape)} must be ids of shape ${shapeStr(p.shape.slice(0, -1))} or one-hot of shape ${shapeStr(p.shape)}`);
      return { n: predicted.size, c: cast(sum(cast(equal(predicted, ids), "int32")), "float32") };
    });
    this.accumulate(correct.c, correct.n);
  }
}
