/**
 * The elementwise family: one template, one thread per output element, for every op with a
 * scalar IR expression (lowered by ir-gpujs.ts). Inputs as large as the output are read at
 * the thread's index; broadcast inputs through the output's coordinates and their broadcast
 * strides; numeric attrs are uniforms. int32 results are truncated as int32 storage would.
 * A compiled program's fused expressions run through the same template.
 */
import { ir, opTable, type ElementwiseOpName, type Expr } from "@eager/core/backend";
import { broadcastStridesTo, KernelBuilder, truncExpr } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";
import { lowerToGpuJs } from "./ir-gpujs.js";

/**
 * Declare `name(k)` as input k read at output element `i` of `y`: at `i` when it has `y`'s size
 * and rank, else through `y`'s coordinates (named from `coords`) and its broadcast strides.
 */
export function readBroadcast(ctx: KernelContext, b: KernelBuilder, op: string, inputs: readonly GlTensor[], y: GlTensor, name: (k: number) => string, coords = "c"): void {
  const values = inputs.map((t) => b.tensor(ctx.in(op, t)));
  const full = inputs.map((t) => t.size === y.size && t.shape.length === y.shape.length);
  const at = full.every(Boolean) ? [] : b.unravel("i", y.shape, coords);
  inputs.forEach((t, k) => b.line(`const ${name(k)} = ${values[k]}[${full[k] ? "i" : b.offset(at, broadcastStridesTo(t.shape, y.shape))}];`));
}

/** The value stored for `v` in a tensor of `dtype`: int32 truncated as int32 storage would, bool as 0/1. */
export function storedValue(v: string, dtype: string): string {
  return dtype === "int32" ? truncExpr(v) : dtype === "bool" ? `(${v} != 0.0 ? 1.0 : 0.0)` : v;
}

/** Run expression `e` (inputs read with broadcasting; attr values from `attrs`) into `y`. */
export function runExpr(ctx: KernelContext, name: string, e: Expr, inputs: readonly GlTensor[], y: GlTensor, attrs: object): void {
  const b = new KernelBuilder();
  readBroadcast(ctx, b, name, inputs, y, (k) => `x${k}`);
  const v = lowerToGpuJs(e, b, (n) => b.num((attrs as Record<string, number>)[n]!));
  ctx.run(name, y, b, storedValue(v, y.dtype));
}

/** The kernel of elementwise op `op` from its IR expression (with NumPy broadcasting). */
export function elementwise(ctx: KernelContext, op: ElementwiseOpName) {
  const expr = opTable[op].expr as ir.ElementwiseExpr<any>;
  return (inputs: readonly GlTensor[], [out]: readonly GlTensor[], attrs: object): void => {
    const statics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs)) if (typeof v === "string") statics[k] = v;
    const e = ir.instantiate(
      expr,
      inputs.map((t) => t.dtype),
      statics,
    );
    runExpr(ctx, op, e, inputs, out!, attrs);
  };
}

/**
 * A compiled program's fused expression (numeric attrs already constants) as one gpu.js
 * kernel. False (the ops then run one by one) when an input is float64, the expression has
 * no gpu.js form, or it has more inputs than one kernel may read.
 */
export function fusedElementwise(ctx: KernelContext) {
  return (expr: Expr, inputs: readonly GlTensor[], y: GlTensor): boolean => {
    if (inputs.some((t) => t.dtype === "float64") || y.dtype === "float64") return false;
    if (inputs.length > ctx.rt.maxKernelTensors) return false;
    try {
      lowerToGpuJs(expr, new KernelBuilder(), () => "0.0");
    } catch {
      return false;
    }
    runExpr(ctx, "fused", expr, inputs, y, {});
    return true;
  };
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
