/**
 * Reading a tensor's values for the debugging tools without running ops: a copy read now on
 * devices with synchronous readback, or a promise of a copy (queued after the work that writes it).
 */
import type { TypedArray } from "../dtype.js";
import type { Tensor } from "../tensor.js";

/** Whether `t`'s device reads synchronously. */
export function readsSync(t: Tensor): boolean {
  const b = t._storage?.backend;
  return !!b && b.capabilities.syncRead && !!b.readSync;
}

/** A copy of `t`'s values, read now (its device must read synchronously). */
export function valuesNow(t: Tensor): TypedArray {
  const s = t._storage!;
  s.backend.flush?.();
  return s.backend.readSync!(s.data, s.dtype, s.size).slice();
}

/** A copy of `t`'s values: at once where the device reads synchronously, else once its work is done. */
export function valuesLater(t: Tensor): Promise<TypedArray> {
  if (t.size === 0) return Promise.resolve(new Float32Array(0));
  if (readsSync(t)) return Promise.resolve(valuesNow(t));
  const s = t._storage!;
  const p = s.backend.read(s.data, s.dtype, s.size).then((v) => v.slice());
  s.backend.flush?.();
  return p;
}

/** NaN and infinity counts of `v`. */
export function countNonFinite(v: TypedArray): { nan: number; inf: number; first: number } {
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) nan++;
    else if (x === Infinity || x === -Infinity) inf++;
    else continue;
    if (first < 0) first = i;
  }
  return { nan, inf, first };
}
