/**
 * Seeded random tensors. Values are generated on the host by a counter-based generator and
 * then written to the device, so the same seed gives the same numbers on every backend. Inside
 * `compile` a draw without a fixed seed is a node that draws again at every call, advancing the
 * same generator, so a compiled function draws the numbers its eager calls would.
 */
import { allocArray, assertDType, type DType } from "../dtype.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { engine } from "../engine/engine.js";
import { InvalidArgumentError } from "../errors.js";
import { sizeOf, validateShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { drawRandom } from "../compile/host.js";

/**
 * Seed the generator used when no seed is passed, and restart its stream. Before any call the
 * seed is 0x2545f491, so a fresh process draws the same numbers every run (and on every backend).
 */
export function setRandomSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`setRandomSeed: seed must be a finite number, got ${seed}`);
  engine.randomSeed = seed >>> 0;
  engine.randomCounter = 0;
}

/** A stream of uniform numbers in [0, 1) from a 32-bit seed (SplitMix32-style mixing). */
export function uniformStream(seed: number): () => number {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

/** @internal The uniform stream for `seed`, or the global generator's next stream when it is undefined. */
export function streamFor(seed: number | undefined): () => number {
  if (seed !== undefined) {
    if (!Number.isFinite(seed)) throw new InvalidArgumentError(`random: seed must be a finite number, got ${seed}`);
    return uniformStream(seed);
  }
  return uniformStream((engine.randomSeed + Math.imul(++engine.randomCounter, 0x27d4eb2d)) >>> 0);
}

/** Standard normal samples by the Box-Muller transform. */
function normalStream(u: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u1 = 1 - u();
    const u2 = u();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** A seed: fixed, none (the global generator's next stream), or computed at each draw. */
export type SeedSource = number | undefined | (() => number | undefined);

/**
 * A tensor of `shape` filled by `gen(u)` from the stream of `seed`. A fixed seed draws once
 * (also under compile: the same values at every call, as eagerly); otherwise, under compile,
 * the draw is a node of the program that takes the next stream at every run.
 */
function make(shape: readonly number[], dtype: DType, where: string, seed: SeedSource, gen: (u: () => number) => () => number): Tensor {
  const s = validateShape(shape, where);
  assertDType(dtype, where);
  if (dtype === "bool") throw new InvalidArgumentError(`${where}: dtype bool is not supported`);
  const draw = (u: () => number): Tensor => {
    const next = gen(u);
    const data = allocArray(dtype, sizeOf(s));
    for (let i = 0; i < data.length; i++) data[i] = next();
    return tensorFromHost(data, s, dtype);
  };
  if (typeof seed === "number") return draw(streamFor(seed));
  return drawRandom(where, s, dtype, () => streamFor(typeof seed === "function" ? seed() : seed), draw);
}

/** Uniform values in [minval, maxval). @example randomUniform([2, 2], 0, 1, "float32", 42) */
export function randomUniform(shape: readonly number[], minval = 0, maxval = 1, dtype: DType = "float32", seed?: number): Tensor {
  return randomUniformFrom(shape, minval, maxval, dtype, seed);
}

/**
 * @internal `randomUniform` with a seed that may be computed at each draw (a layer's own seed
 * sequence): under compile `seed()` then runs at every call, not once while tracing.
 */
export function randomUniformFrom(shape: readonly number[], minval: number, maxval: number, dtype: DType, seed: SeedSource): Tensor {
  if (!(maxval > minval)) throw new InvalidArgumentError(`randomUniform: need minval < maxval, got ${minval} and ${maxval}`);
  const gen = dtype === "int32" ? (u: () => number) => () => Math.floor(minval + u() * (maxval - minval)) : (u: () => number) => () => minval + u() * (maxval - minval);
  return make(shape, dtype, "randomUniform", seed, gen);
}

/** Normal values with `mean` and `stdDev`. */
export function randomNormal(shape: readonly number[], mean = 0, stdDev = 1, dtype: DType = "float32", seed?: number): Tensor {
  if (!(stdDev >= 0)) throw new InvalidArgumentError(`randomNormal: stdDev must be >= 0, got ${stdDev}`);
  return make(shape, dtype, "randomNormal", seed, (u) => {
    const n = normalStream(u);
    return () => mean + stdDev * n();
  });
}

/** Normal values, redrawn when farther than two standard deviations from the mean. */
export function truncatedNormal(shape: readonly number[], mean = 0, stdDev = 1, dtype: DType = "float32", seed?: number): Tensor {
  if (!(stdDev >= 0)) throw new InvalidArgumentError(`truncatedNormal: stdDev must be >= 0, got ${stdDev}`);
  return make(shape, dtype, "truncatedNormal", seed, (u) => {
    const n = normalStream(u);
    return () => {
      let v: number;
      do v = n();
      while (Math.abs(v) > 2);
      return mean + stdDev * v;
    };
  });
}
