/**
 * The reference evaluation of a fused elementwise expression: the expression compiled to
 * JavaScript (float64 arithmetic, rounded where the fused ops stored float32 results) and mapped over the
 * output with NumPy broadcasting of every input. Compiled forms are cached per expression.
 */
import { allocArray } from "../dtype.js";
import type { RefTensor } from "../ops/def.js";
import { forEachBroadcast } from "../ops/ref-util.js";
import type { Expr } from "./expr.js";
import { compileJs, type ScalarFn } from "./js.js";

const compiled = new WeakMap<Expr, ScalarFn>();

/** A view input (`strides`, `offset`) copied out to a contiguous array; other inputs as they are. */
function contiguous(t: RefTensor): RefTensor {
  if (!t.strides) return t;
  const data = allocArray(t.dtype, t.size);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = t.offset ?? 0;
  for (let i = 0; i < t.size; i++) {
    data[i] = t.data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      src += t.strides[d]!;
      if (++idx[d]! < t.shape[d]!) break;
      src -= t.strides[d]! * t.shape[d]!;
      idx[d] = 0;
    }
  }
  return { data, shape: t.shape, dtype: t.dtype, size: t.size };
}

/** out[i] = expr(inputs broadcast to out's shape at i); inputs may be strided views. */
export function evaluateFused(expr: Expr, viewInputs: readonly RefTensor[], out: RefTensor): void {
  const inputs = viewInputs.map(contiguous);
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
