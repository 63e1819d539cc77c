/**
 * The `train` namespace: optimizers, learning-rate schedules, gradient clipping and
 * checkpoints.
 * @example const opt = new train.AdamOptimizer({ learningRate: 1e-3 }); opt.applyGradients(grads);
 */
export { Optimizer, type OptimizerOptions, type GradientPairs } from "./optimizer.js";
export { GradientDescentOptimizer, MomentumOptimizer, type MomentumOptions } from "./sgd.js";
export { AdamOptimizer, AdamW, type AdamOptions, type AdamWOptions } from "./adam.js";
export { RMSPropOptimizer, AdagradOptimizer, type RMSPropOptions, type AdagradOptions } from "./rmsprop.js";
export { exponentialDecay, piecewiseConstant, cosineDecay, type LearningRateSchedule } from "./schedules.js";
export { clipByGlobalNorm } from "./clip.js";
export { Checkpoint, type Checkpointable } from "./checkpoint.js";
export type { RestoreOptions, RestoreReport } from "./restore-plan.js";
export { CheckpointError, encodeSafetensors, decodeSafetensors, type SafetensorEntry } from "./safetensors.js";
export { sgd, momentum, adam, rmsprop, adagrad } from "./factories.js";
export { CheckpointManager, type CheckpointManagerOptions } from "./checkpoint-manager.js";
