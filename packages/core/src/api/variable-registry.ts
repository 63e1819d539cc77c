/**
 * Every variable made by `variable()` (weakly held in the engine), so `disposeVariables()` can
 * free them all as TF.js's does. Holds no variable alive: collected variables drop out.
 */
import { engine } from "../engine/engine.js";
import type { Variable } from "../tensor.js";

/** @internal Remember a new variable. */
export function registerVariable(v: Variable): void {
  engine.variables.add(new WeakRef(v));
}

/** @internal The variables still alive and not disposed, oldest first. */
export function liveVariables(): Variable[] {
  const out: Variable[] = [];
  for (const r of engine.variables) {
    const v = r.deref();
    if (!v || v.isDisposed) engine.variables.delete(r);
    else out.push(v);
  }
  return out;
}
