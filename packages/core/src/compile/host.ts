/**
 * Host values and host effects that a compiled program repeats on every call. Eagerly they are
 * plain: `hostValue(fn)` is `fn()` and `onReplay` does nothing. While compiling, `hostValue`
 * becomes a scalar input computed by `fn` at each run and `onReplay(fn)` reruns `fn` each run;
 * `hostEffect(fn)` runs `fn` now (not in a probe trace) and at each run.
 * Random draws (`drawRandom`) become nodes that draw at every run.
 */
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { engine } from "../engine/engine.js";
import { activeBuilder } from "./builder.js";

/**
 * A number the host computes at each call (a step-dependent learning rate, a counter). Eagerly
 * it returns `fn()`; inside `compile` it returns a scalar tensor that the program recomputes
 * with `fn` at every run, instead of freezing the value seen while tracing.
 * @example const lrT = hostValue(() => lr * Math.sqrt(1 - b2 ** this.iterations));
 */
export function hostValue(fn: () => number, dtype: DType = "float32"): number | Tensor {
  const b = activeBuilder();
  return b ? b.hostScalar(fn, dtype) : fn();
}

/**
 * Run a host side effect that must happen at every call of a compiled function (e.g. counting
 * steps). `fn` is not called here: the caller has done the effect once already; inside
 * `compile` it is recorded and repeated at every later run. Eagerly this does nothing. In a
 * probe trace (see `compile`'s `null` dimensions) the caller's own effect still happens; use
 * `hostEffect` for an effect that must not.
 * @example this.iterations++; onReplay(() => this.iterations++);
 */
export function onReplay(fn: () => void): void {
  activeBuilder()?.onReplay(fn);
}

/**
 * Run a host side effect now and at every later call of a compiled function: eagerly `fn()`;
 * while tracing, `fn()` once (as the first call) and recorded to run at each replay; in a probe
 * trace (made to check how a trace depends on a `null` dimension's size), not run at all.
 * @example hostEffect(() => this.iterations++);
 */
export function hostEffect(fn: () => void): void {
  const b = activeBuilder();
  if (!b?.probing) fn();
  b?.onReplay(fn);
}

/**
 * @internal A random tensor: eagerly `draw(stream())`; inside `compile` a node of the program
 * that takes the next stream and draws at every run (so each call gets fresh values, in the
 * order the eager function would draw them).
 */
export function drawRandom(name: string, shape: readonly number[], dtype: DType, stream: () => () => number, draw: (u: () => number) => Tensor): Tensor {
  const b = activeBuilder();
  return b ? b.random(name, shape, dtype, stream, draw) : draw(stream());
}

/**
 * @internal Run `fn` outside the trace in progress: its ops run on real values, as eagerly
 * (weight initializers run once, while tracing, like the first eager call).
 */
export function outsideTrace<R>(fn: () => R): R {
  const prev = engine.compiling;
  if (prev === null) return fn();
  engine.compiling = null;
  try {
    return fn();
  } finally {
    engine.compiling = prev;
  }
}

/** @internal The concrete value of a random draw of the trace in progress (see `TraceBuilder.materialize`), or `t`. */
export function concreteDraw(t: Tensor): Tensor {
  if (t._storage !== null) return t;
  return activeBuilder()?.materialize(t) ?? t;
}
