/**
 * The reference evaluation of a fused elementwise expression: the expression compiled to
 * JavaScript (float64 arithmetic, rounded where the fused ops stored float32 results) and mapped over the
 * output with NumPy broadcasting of every input. Compiled forms are cached per expression.
 */
import type { RefTensor } from "../ops/def.js";
import { forEachBroadcast } from "../ops/ref-util.js";
import type { Expr } from "./expr.js";
import { compileJs, type ScalarFn } from "./js.js";

const compiled = new WeakMap<Expr, ScalarFn>();

/** out[i] = expr(inputs broadcast to out's shape at i). */
export function evaluateFused(expr: Expr, inputs: readonly RefTensor[], out: RefTensor): void {
  let f = compiled.get(expr);
  if (!f) compiled.set(expr, (f = compileJs(expr, inputs.length)));
  const fn = f;
  const o = out.data;
  const data = inputs.map((t) => t.data);
  const args = new Array<unknown>(inputs.length + 1).fill(0);
  args[inputs.length] = {};
  const call = fn as (...a: unknown[]) => number;
  if (inputs.every((t) => t.size === o.length)) {
    for (let i = 0; i < o.length; i++) {
      for (let k = 0; k < data.length; k++) args[k] = data[k]![i];
      o[i] = call(...args);
    }
    return;
  }
  forEachBroadcast(inputs, out.shape, (i, off) => {
    for (let k = 0; k < data.length; k++) args[k] = data[k]![off[k]!];
    o[i] = call(...args);
  });
}
