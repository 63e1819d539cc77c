/**
 * Host values and host effects that a compiled program repeats on every call. Eagerly they are
 * plain: `hostValue(fn)` is `fn()` and `onReplay` does nothing. While compiling, `hostValue`
 * becomes a scalar input computed by `fn` at each run and `onReplay(fn)` reruns `fn` each run.
 */
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
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
 * `compile` it is recorded and repeated at every later run. Eagerly this does nothing.
 * @example this.iterations++; onReplay(() => this.iterations++);
 */
export function onReplay(fn: () => void): void {
  activeBuilder()?.onReplay(fn);
}
