/**
 * The fold of each tree/column reduction as WGSL text: its initial value and step by storage
 * type, and the final value (mean divides by the reduced count).
 */
import type { ReduceOp } from "./reduce.js";

/** Init value and fold of each reduction, by storage type (partial results fold with the same step). */
export function fold(op: ReduceOp, t: string): { init: string; step: (acc: string, v: string) => string } {
  const lowest = t === "f32" ? "ninf()" : t === "i32" ? "bitcast<i32>(0x80000000u)" : "0u";
  const highest = t === "f32" ? "pinf()" : t === "i32" ? "2147483647" : "1u";
  const zero = t === "f32" ? "0.0" : t === "i32" ? "0" : "0u";
  const one = t === "f32" ? "1.0" : t === "i32" ? "1" : "1u";
  const nan = (v: string) => (t === "f32" ? `is_nan(${v}) || ` : "");
  switch (op) {
    case "sum":
    case "mean":
      return { init: zero, step: (a, v) => `${a} + ${v}` };
    case "prod":
      return { init: one, step: (a, v) => `${a} * ${v}` };
    case "max":
      return { init: lowest, step: (a, v) => `select(${a}, ${v}, ${nan(v)}${v} > ${a})` };
    case "min":
      return { init: highest, step: (a, v) => `select(${a}, ${v}, ${nan(v)}${v} < ${a})` };
    case "all":
      return { init: "1u", step: (a, v) => `select(0u, ${a}, ${v} != 0u)` };
    case "any":
      return { init: "0u", step: (a, v) => `select(${a}, 1u, ${v} != 0u)` };
  }
}

/** The final value of a reduction from its folded `acc`: mean divides by the count in params slot `slot`. */
export function finish(op: ReduceOp, acc: string, slot: number): string {
  return op === "mean" ? `${acc} / f32(pu(${slot}u))` : acc;
}
