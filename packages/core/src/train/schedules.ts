/**
 * Learning-rate schedules: functions from the optimizer's step (0 for the first update) to
 * a learning rate. Pass one as `learningRate` to any optimizer.
 */
import { InvalidArgumentError } from "../errors.js";

/** A learning rate as a function of the step count. */
export type LearningRateSchedule = (step: number) => number;

/**
 * lr * decayRate^(step / decaySteps), the exponent floored when `staircase`.
 * @example exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 })(100) // 0.05
 */
export function exponentialDecay(o: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }): LearningRateSchedule {
  if (!(o.decaySteps > 0)) throw new InvalidArgumentError(`exponentialDecay: decaySteps must be > 0, got ${o.decaySteps}`);
  if (!(o.decayRate > 0)) throw new InvalidArgumentError(`exponentialDecay: decayRate must be > 0, got ${o.decayRate}`);
  return (step) => {
    const p = step / o.decaySteps;
    return o.initialLearningRate * Math.pow(o.decayRate, o.staircase ? Math.floor(p) : p);
  };
}

/**
 * values[i] while step <= boundaries[i] (and the last value after the last boundary).
 * @example piecewiseConstant({ boundaries: [100, 200], values: [1, 0.5, 0.1] })(150) // 0.5
 */
export function piecewiseConstant(o: { boundaries: readonly number[]; values: readonly number[] }): LearningRateSchedule {
  if (o.values.length !== o.boundaries.length + 1)
    throw new InvalidArgumentError(`piecewiseConstant: need one more value than boundaries, got ${o.values.length} values and ${o.boundaries.length} boundaries`);
  for (let i = 1; i < o.boundaries.length; i++)
    if (!(o.boundaries[i]! > o.boundaries[i - 1]!)) throw new InvalidArgumentError(`piecewiseConstant: boundaries must increase, got ${JSON.stringify(o.boundaries)}`);
  return (step) => {
    for (let i = 0; i < o.boundaries.length; i++) if (step <= o.boundaries[i]!) return o.values[i]!;
    return o.values[o.values.length - 1]!;
  };
}

/**
 * Cosine decay from lr to lr * alpha over decaySteps, then constant:
 * lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha).
 * @example cosineDecay({ initialLearningRate: 1, decaySteps: 10 })(5) // 0.5
 */
export function cosineDecay(o: { initialLearningRate: number; decaySteps: number; alpha?: number }): LearningRateSchedule {
  if (!(o.decaySteps > 0)) throw new InvalidArgumentError(`cosineDecay: decaySteps must be > 0, got ${o.decaySteps}`);
  const alpha = o.alpha ?? 0;
  return (step) => {
    const s = Math.min(step, o.decaySteps) / o.decaySteps;
    return o.initialLearningRate * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * s)) + alpha);
  };
}
