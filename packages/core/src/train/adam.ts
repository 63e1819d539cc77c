/**
 * Adam and AdamW. With t the step (1 for the first update):
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
 * w -= lr_t m / (sqrt(v) + eps). AdamW first decays w -= lr wd w (decoupled weight decay).
 */
import { add, mul, sqrt, square, sub, div } from "../api/elementwise.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";
import { hostValue } from "../compile/host.js";

/** Options of AdamOptimizer. */
export interface AdamOptions extends OptimizerOptions {
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-7. */
  readonly epsilon?: number;
}

/**
 * Adam (Kingma and Ba), in TensorFlow's form (bias correction folded into the step size).
 * @example new AdamOptimizer({ learningRate: 1e-3 })
 */
export class AdamOptimizer extends Optimizer {
  readonly slotNames = ["m", "v"] as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(options: AdamOptions, kind = "AdamOptimizer") {
    super(options, kind);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    for (const [k, b] of [["beta1", this.beta1], ["beta2", this.beta2]] as const)
      if (!(b >= 0 && b < 1)) throw new InvalidArgumentError(`${kind}: ${k} must be in [0, 1), got ${b}`);
    if (!(this.epsilon >= 0)) throw new InvalidArgumentError(`${kind}: epsilon must be >= 0, got ${this.epsilon}`);
  }
  protected update(w: Variable, g: Tensor, _lr?: number | Tensor): void {
    const m = this.slot(w, "m");
    const v = this.slot(w, "v");
    m.assign(add(mul(m, this.beta1), mul(g, 1 - this.beta1)));
    v.assign(add(mul(v, this.beta2), mul(square(g), 1 - this.beta2)));
    // The step size depends on the step count: a host value, recomputed per call under compile.
    const lrT = hostValue(() => {
      const t = this.iterations;
      return (this.currentLearningRateAt(t - 1) * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    });
    w.assign(sub(w, mul(div(m, add(sqrt(v), this.epsilon)), lrT)));
  }
}

/** Options of AdamW. */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay coefficient (default 0.004, as in Keras). */
  readonly weightDecay?: number;
}

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): w -= lr wd w, then the Adam step.
 * @example new AdamW({ learningRate: 1e-3, weightDecay: 1e-2 })
 */
export class AdamW extends AdamOptimizer {
  readonly weightDecay: number;
  constructor(options: AdamWOptions) {
    super(options, "AdamW");
    this.weightDecay = options.weightDecay ?? 0.004;
    if (!(this.weightDecay >= 0)) throw new InvalidArgumentError(`AdamW: weightDecay must be >= 0, got ${this.weightDecay}`);
  }
  protected override update(w: Variable, g: Tensor, lr: number | Tensor): void {
    if (this.weightDecay > 0) w.assign(sub(w, mul(w, typeof lr === "number" ? lr * this.weightDecay : mul(lr, this.weightDecay))));
    super.update(w, g);
  }
}
