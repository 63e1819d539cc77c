/**
 * Deterministic inputs: seeded pseudo-random float32 arrays, so every engine in a run
 * (and every run) sees the same numbers. Not cryptographic; not shared with core's RNG.
 */
import type { HostArray } from "./types.js";

/** A xorshift32 stream of floats in [0, 1). */
export function uniformStream(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A float32 array of `shape` with values uniform in [lo, hi). */
export function uniform(shape: readonly number[], seed: number, lo = -1, hi = 1): HostArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const next = uniformStream(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * next();
  return { data, shape };
}

/** One-hot rows: `rows` labels drawn from `classes`. */
export function oneHot(rows: number, classes: number, seed: number): HostArray {
  const next = uniformStream(seed);
  const data = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) data[r * classes + Math.floor(next() * classes)] = 1;
  return { data, shape: [rows, classes] };
}
