/**
 * Plain and momentum gradient descent, as TensorFlow defines them:
 * SGD: w -= lr g. Momentum: a = mu a + g; w -= lr a (Nesterov: w -= lr (g + mu a)).
 */
import { add, mul, sub } from "../api/elementwise.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";

/**
 * Gradient descent: w -= learningRate * g.
 * @example const opt = new GradientDescentOptimizer({ learningRate: 0.5 }); opt.applyGradients(grads);
 */
export class GradientDescentOptimizer extends Optimizer {
  readonly slotNames = [] as const;
  constructor(options: OptimizerOptions) {
    super(options, "GradientDescentOptimizer");
  }
  protected update(v: Variable, g: Tensor, lr: number | Tensor): void {
    v.assign(sub(v, mul(g, lr)));
  }
}

/** Options of MomentumOptimizer. */
export interface MomentumOptions extends OptimizerOptions {
  /** mu, in [0, 1) (default 0.9). */
  readonly momentum?: number;
  /** Look ahead: w -= lr (g + mu a) (default false). */
  readonly nesterov?: boolean;
}

/**
 * Momentum: accumulator a = mu a + g; w -= lr a (or lr (g + mu a) with Nesterov).
 * @example new MomentumOptimizer({ learningRate: 0.1, momentum: 0.9, nesterov: true })
 */
export class MomentumOptimizer extends Optimizer {
  readonly slotNames = ["momentum"] as const;
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(options: MomentumOptions) {
    super(options, "MomentumOptimizer");
    this.momentum = options.momentum ?? 0.9;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new InvalidArgumentError(`MomentumOptimizer: momentum must be in [0, 1), got ${this.momentum}`);
    this.nesterov = options.nesterov ?? false;
  }
  protected update(v: Variable, g: Tensor, lr: number | Tensor): void {
    const a = this.slot(v, "momentum");
    a.assign(add(mul(a, this.momentum), g));
    const step = this.nesterov ? add(g, mul(a, this.momentum)) : a;
    v.assign(sub(v, mul(step, lr)));
  }
}
