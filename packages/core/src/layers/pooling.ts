/**
 * Pooling layers on NHWC inputs: MaxPool2D and AvgPool2D (window, strides default to the
 * window, padding), GlobalAveragePooling2D ([n, h, w, c] -> [n, c]).
 */
import { avgPool, maxPool } from "../api/conv.js";
import { mean } from "../api/reduce.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { pair, type Size2D } from "./conv.js";
import { Layer, type LayerOptions } from "./layer.js";

/** Options of the pooling layers. */
export interface Pool2DOptions extends LayerOptions {
  /** Window size (default 2). */
  readonly poolSize?: Size2D;
  /** Default: the window size. */
  readonly strides?: Size2D;
  /** Default "valid". */
  readonly padding?: "valid" | "same";
}

abstract class Pool2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";
  constructor(o: Pool2DOptions, kind: string) {
    super(o);
    this.poolSize = pair(o.poolSize ?? 2, `${kind}: poolSize`);
    this.strides = pair(o.strides ?? this.poolSize, `${kind}: strides`);
    this.padding = o.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") throw new InvalidArgumentError(`${kind}: padding must be "valid" or "same", got ${JSON.stringify(o.padding)}`);
  }
  protected check(x: Tensor): void {
    if (x.rank !== 4) throw new ShapeError(`${this.path}: expects NHWC input of rank 4, got ${x.describe()}`);
  }
}

/** Maximum over each window. @example new MaxPool2D().apply(zeros([1, 28, 28, 8])).shape // [1, 14, 14, 8] */
export class MaxPool2D extends Pool2D {
  constructor(options: Pool2DOptions = {}) {
    super(options, "MaxPool2D");
  }
  call(x: Tensor): Tensor {
    this.check(x);
    return maxPool(x, this.poolSize, this.strides, this.padding);
  }
}

/** Mean over each window. */
export class AvgPool2D extends Pool2D {
  constructor(options: Pool2DOptions = {}) {
    super(options, "AvgPool2D");
  }
  call(x: Tensor): Tensor {
    this.check(x);
    return avgPool(x, this.poolSize, this.strides, this.padding);
  }
}

/** Mean over height and width: [n, h, w, c] -> [n, c]. */
export class GlobalAveragePooling2D extends Layer {
  call(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ShapeError(`${this.path}: expects NHWC input of rank 4, got ${x.describe()}`);
    return mean(x, [1, 2]);
  }
}
