/**
 * The elementwise family (unary, binary, ternary, cast, fill): one template, one thread per
 * output element. Inputs as large as the output are read at the thread's index; broadcast
 * inputs through the output's coordinates and their broadcast strides. The op's scalar code
 * comes from expressions.ts; int32 results are truncated as int32 storage would.
 */
import { broadcastStridesTo, KernelBuilder, truncExpr } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";
import { binaryCode, castCode, ternaryCode, unaryCode, type ScalarCode } from "./expressions.js";

/** Run `code` over `inputs` into `out` (with NumPy broadcasting). */
export function runElementwise(ctx: KernelContext, op: string, inputs: readonly GlTensor[], out: GlTensor, code: (b: KernelBuilder) => ScalarCode): void {
  const b = new KernelBuilder();
  const names = inputs.map((t) => b.tensor(ctx.in(op, t)));
  const full = inputs.map((t) => t.size === out.size && t.shape.length === out.shape.length);
  const coords = full.every(Boolean) ? [] : b.unravel("i", out.shape, "c");
  inputs.forEach((t, k) => {
    const at = full[k] ? "i" : b.offset(coords, broadcastStridesTo(t.shape, out.shape));
    b.line(`const x${k} = ${names[k]}[${at}];`);
  });
  const c = code(b);
  if (c.pre) b.line(c.pre);
  b.line(`const v = ${c.expr};`);
  ctx.run(op, out, b, out.dtype === "int32" ? truncExpr("v") : out.dtype === "bool" ? "(v != 0.0 ? 1.0 : 0.0)" : "v");
}

/** Kernel for a unary op (attrs become uniforms). */
export function unary(ctx: KernelContext, op: keyof typeof unaryCode) {
  const gen = unaryCode[op];
  return ([x]: readonly GlTensor[], [y]: readonly GlTensor[], attrs: object): void =>
    runElementwise(ctx, op, [x!], y!, (b) => gen((v) => b.num(v), attrs as Record<string, number>));
}

/** Kernel for a binary op; int32 inputs select exact integer division where it matters. */
export function binary(ctx: KernelContext, op: keyof typeof binaryCode) {
  const gen = binaryCode[op];
  return ([a, c]: readonly GlTensor[], [y]: readonly GlTensor[]): void => runElementwise(ctx, op, [a!, c!], y!, () => gen(a!.dtype === "int32"));
}

/** Kernel for a ternary op. */
export function ternary(ctx: KernelContext, op: keyof typeof ternaryCode) {
  const gen = ternaryCode[op];
  return (inputs: readonly GlTensor[], [y]: readonly GlTensor[]): void => runElementwise(ctx, op, inputs, y!, () => gen());
}

/** cast: float storage makes widening the identity; narrowing truncates or tests for zero. */
export function cast(ctx: KernelContext) {
  return ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { dtype: string }): void => runElementwise(ctx, "cast", [x!], y!, () => castCode(a.dtype));
}

/** fill: every element is `value` (bool: 0 or 1). */
export function fill(ctx: KernelContext) {
  return (_: readonly GlTensor[], [y]: readonly GlTensor[], a: { dtype: string; value: number }): void => {
    const value = a.dtype === "bool" ? (a.value ? 1 : 0) : a.value;
    if (!Number.isFinite(value)) {
      ctx.fill(y!, new Float32Array(y!.size).fill(value));
      return;
    }
    const b = new KernelBuilder();
    const u = b.num(value);
    ctx.run("fill", y!, b, `${u} + i * 0.0`);
  };
}
