/**
 * Weight initializers: functions from (shape, dtype) to a fresh tensor. Random ones take a
 * seed, so the same seed gives the same weights on every backend. Fans follow Keras: the
 * last axis is fan-out, the one before it fan-in, leading axes the receptive field.
 */
import { fill } from "../api/creation.js";
import { randomNormal, randomUniform, truncatedNormal } from "../api/random.js";
import type { DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { orthogonal } from "./orthogonal.js";

export { orthogonal };

/** Makes an initial value for a weight of `shape`. */
export type Initializer = (shape: readonly number[], dtype: DType) => Tensor;

/** Options of the random initializers. */
export interface SeedOptions {
  /** Seed of the generator; without one the global generator (see `setRandomSeed`) is used. */
  readonly seed?: number;
}

/** Fan-in and fan-out of a weight shape: [in, out] for dense, [kh, kw, in, out] for convolutions. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

/** Standard deviation of a unit normal truncated at two standard deviations. */
const TRUNCATED_STD = 0.8796256610342398;

/** All zeros. @example zerosInit()([2, 2], "float32") */
export function zerosInit(): Initializer {
  return (shape, dtype) => fill(shape, 0, dtype);
}
/** All ones. */
export function onesInit(): Initializer {
  return (shape, dtype) => fill(shape, 1, dtype);
}
/** Every element equal to `value`. */
export function constant(value: number): Initializer {
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`constant: value must be finite, got ${value}`);
  return (shape, dtype) => fill(shape, value, dtype);
}
/** Normal values with `mean` and `stddev`. @example randomNormalInit({ stddev: 0.05, seed: 1 }) */
export function randomNormalInit(options: SeedOptions & { mean?: number; stddev?: number } = {}): Initializer {
  return (shape, dtype) => randomNormal(shape, options.mean ?? 0, options.stddev ?? 0.05, dtype, options.seed);
}
/** Uniform values in [minval, maxval). */
export function randomUniformInit(options: SeedOptions & { minval?: number; maxval?: number } = {}): Initializer {
  return (shape, dtype) => randomUniform(shape, options.minval ?? -0.05, options.maxval ?? 0.05, dtype, options.seed);
}
/** Normal values redrawn beyond two standard deviations. */
export function truncatedNormalInit(options: SeedOptions & { mean?: number; stddev?: number } = {}): Initializer {
  return (shape, dtype) => truncatedNormal(shape, options.mean ?? 0, options.stddev ?? 0.05, dtype, options.seed);
}

type Mode = "fanIn" | "fanOut" | "fanAvg";
/** Variance scaling: variance `scale / fan` (uniform or truncated normal), the family below. */
export function varianceScaling(options: SeedOptions & { scale?: number; mode?: Mode; distribution?: "uniform" | "truncatedNormal" | "normal" } = {}): Initializer {
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new InvalidArgumentError(`varianceScaling: scale must be > 0, got ${scale}`);
  return (shape, dtype) => {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = options.mode === "fanOut" ? fanOut : options.mode === "fanAvg" ? (fanIn + fanOut) / 2 : fanIn;
    const variance = scale / Math.max(1, fan);
    switch (options.distribution ?? "truncatedNormal") {
      case "uniform": {
        const limit = Math.sqrt(3 * variance);
        return randomUniform(shape, -limit, limit, dtype, options.seed);
      }
      case "normal":
        return randomNormal(shape, 0, Math.sqrt(variance), dtype, options.seed);
      default:
        return truncatedNormal(shape, 0, Math.sqrt(variance) / TRUNCATED_STD, dtype, options.seed);
    }
  };
}
/** Uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio). The default for kernels. */
export function glorotUniform(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fanAvg", distribution: "uniform" });
}
/** Truncated normal with stddev sqrt(2 / (fanIn + fanOut)). */
export function glorotNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fanAvg", distribution: "truncatedNormal" });
}
/** Truncated normal with stddev sqrt(2 / fanIn) (He et al.), for ReLU networks. */
export function heNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 2, mode: "fanIn", distribution: "truncatedNormal" });
}
/** Uniform in ±sqrt(6 / fanIn). */
export function heUniform(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 2, mode: "fanIn", distribution: "uniform" });
}
/** Truncated normal with stddev sqrt(1 / fanIn) (LeCun), for SELU networks. */
export function lecunNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fanIn", distribution: "truncatedNormal" });
}
/** Uniform in ±sqrt(3 / fanIn). */
export function lecunUniform(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fanIn", distribution: "uniform" });
}

/** Initializer names accepted wherever an initializer is. */
export type InitializerName =
  | "zeros" | "ones" | "glorotUniform" | "glorotNormal" | "heNormal" | "heUniform" | "lecunNormal" | "lecunUniform"
  | "randomNormal" | "randomUniform" | "truncatedNormal" | "orthogonal";

const BY_NAME: Record<InitializerName, () => Initializer> = {
  zeros: zerosInit, ones: onesInit, glorotUniform, glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform,
  randomNormal: randomNormalInit, randomUniform: randomUniformInit, truncatedNormal: truncatedNormalInit, orthogonal,
};

/** An initializer from a name or a function. */
export function getInitializer(init: Initializer | InitializerName, where: string): Initializer {
  if (typeof init === "function") return init;
  const make = BY_NAME[init as InitializerName];
  if (!make) throw new InvalidArgumentError(`${where}: unknown initializer ${JSON.stringify(init)}; expected one of ${Object.keys(BY_NAME).join(", ")} or a function`);
  return make();
}
