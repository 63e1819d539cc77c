/** Test helpers: run the same computation on the reference backend and on a CPU backend instance. */
import * as tf from "@eager/core";
import { expect } from "vitest";

/** Deterministic pseudo-random values in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** Values of `fn` computed on `device`, with every tensor created inside placed there. */
export function on(device: string, fn: () => tf.Tensor): { values: number[]; shape: number[] } {
  return tf.withDevice(device, () => {
    const t = fn();
    const out = { values: Array.from(t.dataSync() as ArrayLike<number>), shape: [...t.shape] };
    t.dispose();
    return out;
  });
}

/** Expect `device` to agree with the reference backend on `fn` (absolute + relative tolerance). */
export function expectLikeReference(device: string, fn: () => tf.Tensor, atol = 1e-4, rtol = 1e-4): void {
  const want = on("reference", fn);
  const got = on(device, fn);
  expect(got.shape).toEqual(want.shape);
  expect(got.values.length).toBe(want.values.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.values.length; i++) {
    const w = want.values[i]!;
    const g = got.values[i]!;
    if (Number.isNaN(w) || Number.isNaN(g)) {
      expect(Number.isNaN(g), `element ${i}: got ${g}, want ${w}`).toBe(Number.isNaN(w));
      continue;
    }
    if (w === g) continue;
    const err = Math.abs(g - w) / (atol + rtol * Math.abs(w));
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `element ${at}: got ${got.values[at]}, want ${want.values[at]}`).toBeLessThanOrEqual(1);
}
