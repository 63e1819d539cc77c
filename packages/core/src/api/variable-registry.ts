/**
 * Every variable made by `variable()` (weakly held), so `disposeVariables()` can free them
 * all as TF.js's does. Holds no variable alive: collected variables drop out.
 */
import type { Variable } from "../tensor.js";

const live = new Set<WeakRef<Variable>>();

/** @internal Remember a new variable. */
export function registerVariable(v: Variable): void {
  live.add(new WeakRef(v));
}

/** @internal The variables still alive and not disposed, oldest first. */
export function liveVariables(): Variable[] {
  const out: Variable[] = [];
  for (const r of live) {
    const v = r.deref();
    if (!v || v.isDisposed) live.delete(r);
    else out.push(v);
  }
  return out;
}
