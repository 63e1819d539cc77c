/**
 * Deterministic test values: a seeded generator (the same label gives the same numbers on
 * every run and every backend) and input values that respect an op's `domain` and
 * `intInputs`. Plain typed arrays only; no tensors are created here.
 */
import { allocArray, type DType, type OpDef, type TypedArray } from "@eager/core/backend";

/** A stream of uniform numbers in [0, 1) (mulberry32). */
export type Random = () => number;

/** 32-bit FNV-1a hash of a string, for deriving seeds from case labels. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seeded generator. Give it a label (e.g. the case's name) so that adding ops or cases
 * never changes another case's values.
 * @example const rng = seededRandom("add case 0"); rng() // always the same number
 */
export function seededRandom(seed: number | string): Random {
  let a = typeof seed === "string" ? hashString(seed) : seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The float range of input `i` of `def` (its `test.domain`, default [-2, 2]). */
export function inputDomain(def: OpDef<unknown>, i: number): readonly [number, number] {
  const d = def.test.domain;
  if (!d) return [-2, 2];
  if (typeof d[0] === "number") return d as readonly [number, number];
  const list = d as readonly (readonly [number, number])[];
  return list[i] ?? list[list.length - 1] ?? [-2, 2];
}

/**
 * Values for input `i` of `def`: integers in [lo, hi) for `intInputs`, 0/1 for bool,
 * integers inside the domain for int32 (the nearest integers around it when it holds none),
 * uniform floats in the domain otherwise (rounded to float32 for float32 inputs).
 */
export function inputValues(def: OpDef<unknown>, i: number, size: number, dtype: DType, rng: Random): TypedArray {
  const out = allocArray(dtype, size);
  const intRange = def.test.intInputs?.[i];
  if (intRange) {
    const [lo, hi] = intRange;
    for (let k = 0; k < size; k++) out[k] = lo + Math.floor(rng() * Math.max(1, hi - lo));
    return out;
  }
  if (dtype === "bool") {
    for (let k = 0; k < size; k++) out[k] = rng() < 0.5 ? 0 : 1;
    return out;
  }
  const [lo, hi] = inputDomain(def, i);
  if (dtype === "int32") {
    let a = Math.ceil(lo);
    let b = Math.floor(hi);
    if (a > b) [a, b] = [Math.floor(lo), Math.ceil(hi)];
    for (let k = 0; k < size; k++) out[k] = a + Math.floor(rng() * (b - a + 1));
    return out;
  }
  for (let k = 0; k < size; k++) out[k] = lo + (hi - lo) * rng();
  return out;
}

/** Uniform float64 values in [lo, hi). */
export function uniformValues(size: number, rng: Random, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) out[k] = lo + (hi - lo) * rng();
  return out;
}
