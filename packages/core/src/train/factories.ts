/**
 * TF.js-style optimizer factories (`train.sgd(0.1)`, `train.adam()`): thin aliases that
 * build the optimizer classes of this package with TF.js's positional signatures and defaults.
 */
import { AdamOptimizer } from "./adam.js";
import { AdagradOptimizer, RMSPropOptimizer } from "./rmsprop.js";
import { GradientDescentOptimizer, MomentumOptimizer } from "./sgd.js";

/** Alias of TF.js `tf.train.sgd(learningRate)`: a `GradientDescentOptimizer`. @example train.sgd(0.1) */
export function sgd(learningRate: number): GradientDescentOptimizer {
  return new GradientDescentOptimizer({ learningRate });
}

/** Alias of TF.js `tf.train.momentum(learningRate, momentum, useNesterov = false)`: a `MomentumOptimizer`. */
export function momentum(learningRate: number, momentum: number, useNesterov = false): MomentumOptimizer {
  return new MomentumOptimizer({ learningRate, momentum, nesterov: useNesterov });
}

/**
 * Alias of TF.js `tf.train.adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon)`: an
 * `AdamOptimizer`. TF.js's default epsilon is 1e-7 (its float32 backends' epsilon); so is this one's.
 * @example const opt = train.adam(0.01);
 */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): AdamOptimizer {
  return new AdamOptimizer({ learningRate, beta1, beta2, epsilon });
}

/**
 * Alias of TF.js `tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false)`:
 * an `RMSPropOptimizer` whose `rho` is TF.js's `decay`.
 */
export function rmsprop(learningRate: number, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false): RMSPropOptimizer {
  return new RMSPropOptimizer({ learningRate, rho: decay, momentum, epsilon, centered });
}

/** Alias of TF.js `tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1)`: an `AdagradOptimizer`. */
export function adagrad(learningRate: number, initialAccumulatorValue = 0.1): AdagradOptimizer {
  return new AdagradOptimizer({ learningRate, initialAccumulatorValue });
}
