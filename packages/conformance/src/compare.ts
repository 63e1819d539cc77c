/**
 * Comparing a backend's output with the oracle's: per-dtype tolerances (int32 and bool are
 * exact; floats are relative plus absolute, the absolute part grown for reductions), NaN
 * and infinity positions must match. Returns a message instead of throwing.
 */
import type { DType, TypedArray } from "@eager/core/backend";

/** Absolute and relative tolerance for one dtype. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Defaults: float32 results against the float64 oracle, float64 against float64. */
export const DEFAULT_TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  float32: { atol: 1e-5, rtol: 1e-5 },
  float64: { atol: 1e-10, rtol: 1e-10 },
  int32: { atol: 0, rtol: 0 },
  bool: { atol: 0, rtol: 0 },
};

/**
 * Compare `actual` (the backend's output of `dtype`) with `expected` (the oracle's values).
 * For float32 the oracle value is first rounded to float32. `scale` multiplies the absolute
 * tolerance (e.g. the square root of the number of terms in a reduction).
 * @returns null when they agree, else a message naming the first mismatches.
 */
export function compareValues(actual: TypedArray, expected: TypedArray, dtype: DType, tol: Tolerance, scale = 1): string | null {
  if (actual.length !== expected.length) return `expected ${expected.length} values, got ${actual.length}`;
  const bad: string[] = [];
  let count = 0;
  const atol = tol.atol * scale;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    let e = expected[i]!;
    if (dtype === "float32") e = Math.fround(e);
    let ok: boolean;
    if (dtype === "bool") ok = (a !== 0) === (e !== 0);
    else if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else ok = Math.abs(a - e) <= atol + tol.rtol * Math.abs(e);
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
    }
  }
  if (count === 0) return null;
  return `${count} of ${actual.length} values differ (${dtype}, atol ${atol.toPrecision(3)}, rtol ${tol.rtol}): ${bad.join("; ")}`;
}
