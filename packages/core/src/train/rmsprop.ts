/**
 * RMSProp and Adagrad, as TensorFlow defines them.
 * RMSProp: ms = rho ms + (1 - rho) g^2 (centered: mg = rho mg + (1 - rho) g, denominator
 * ms - mg^2); mom = mu mom + lr g / sqrt(denominator + eps); w -= mom.
 * Adagrad: acc += g^2; w -= lr g / (sqrt(acc) + eps).
 */
import { add, mul, rsqrt, sqrt, square, sub, div } from "../api/elementwise.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";

/** Options of RMSPropOptimizer. */
export interface RMSPropOptions extends OptimizerOptions {
  /** Decay of the mean square (default 0.9). */
  readonly rho?: number;
  /** Default 0 (no momentum slot). */
  readonly momentum?: number;
  /** Default 1e-7. */
  readonly epsilon?: number;
  /** Divide by the variance instead of the mean square (default false). */
  readonly centered?: boolean;
}

/**
 * RMSProp (Tieleman and Hinton).
 * @example new RMSPropOptimizer({ learningRate: 1e-3, rho: 0.9 })
 */
export class RMSPropOptimizer extends Optimizer {
  readonly slotNames: readonly string[];
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(options: RMSPropOptions) {
    super(options, "RMSPropOptimizer");
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
    if (!(this.rho >= 0 && this.rho < 1)) throw new InvalidArgumentError(`RMSPropOptimizer: rho must be in [0, 1), got ${this.rho}`);
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new InvalidArgumentError(`RMSPropOptimizer: momentum must be in [0, 1), got ${this.momentum}`);
    this.slotNames = ["rms", ...(this.momentum > 0 ? ["momentum"] : []), ...(this.centered ? ["mg"] : [])];
  }
  protected update(w: Variable, g: Tensor, lr: number | Tensor): void {
    const ms = this.slot(w, "rms");
    ms.assign(add(mul(ms, this.rho), mul(square(g), 1 - this.rho)));
    let denom: Tensor = ms;
    if (this.centered) {
      const mg = this.slot(w, "mg");
      mg.assign(add(mul(mg, this.rho), mul(g, 1 - this.rho)));
      denom = sub(ms, square(mg));
    }
    const step = mul(mul(g, rsqrt(add(denom, this.epsilon))), lr);
    if (this.momentum > 0) {
      const mom = this.slot(w, "momentum");
      mom.assign(add(mul(mom, this.momentum), step));
      w.assign(sub(w, mom));
    } else w.assign(sub(w, step));
  }
}

/** Options of AdagradOptimizer. */
export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the accumulator (default 0.1). */
  readonly initialAccumulatorValue?: number;
  /** Default 1e-7. */
  readonly epsilon?: number;
}

/**
 * Adagrad (Duchi et al.).
 * @example new AdagradOptimizer({ learningRate: 0.1 })
 */
export class AdagradOptimizer extends Optimizer {
  readonly slotNames = ["accumulator"] as const;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(options: AdagradOptions) {
    super(options, "AdagradOptimizer");
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0)) throw new InvalidArgumentError(`AdagradOptimizer: initialAccumulatorValue must be >= 0, got ${this.initialAccumulatorValue}`);
  }
  protected update(w: Variable, g: Tensor, lr: number | Tensor): void {
    const acc = this.slot(w, "accumulator", this.initialAccumulatorValue);
    acc.assign(add(acc, square(g)));
    w.assign(sub(w, mul(div(g, add(sqrt(acc), this.epsilon)), lr)));
  }
}
