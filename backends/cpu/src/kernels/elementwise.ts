/**
 * Elementwise kernels: every op with a scalar IR expression runs its generated wasm export
 * (see wasm/elementwise-wat.ts) with NumPy broadcasting, split across threads above the
 * threshold; outputs of at most TINY elements are computed in JavaScript from the same
 * expression (float32 rounding at every node). Dtype combinations without a wasm form use
 * the reference kernel. Also the copy and fill kernels.
 */
import { broadcastStrides, ir, opTable, type Kernel, type KernelTensor, type OpName } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { exportName, kernelExpr } from "../wasm/elementwise-wat.js";
import type { CpuContext } from "./context.js";
import { jsKernel } from "./fallback.js";

type K = Kernel<any, CpuBuffer>;
type T = KernelTensor<CpuBuffer>;

/** A broadcast op as outer dims [dim, stride of each input...] plus an inner run of `len` with inner strides `inner`. */
export interface BroadcastPlan {
  readonly outer: number[];
  readonly len: number;
  readonly inner: number[];
}

/** Collapse the output into as few dims as the broadcast pattern of `shapes` allows. */
export function broadcastPlan(shapes: readonly (readonly number[])[], out: readonly number[]): BroadcastPlan {
  return stridePlan(
    shapes.map((s) => broadcastStrides(s, out)),
    out,
  );
}

/** The same, from each input's element strides over `out`'s dims (0 along broadcast dims). */
export function stridePlan(strides: readonly (readonly number[])[], out: readonly number[]): BroadcastPlan {
  const dims: { d: number; s: number[] }[] = [];
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === 1) continue;
    const prev = dims[dims.length - 1];
    const s = strides.map((st) => st[i]!);
    if (prev && prev.s.every((p, k) => p === s[k]! * d)) dims[dims.length - 1] = { d: prev.d * d, s };
    else dims.push({ d, s });
  }
  const last = dims.pop() ?? { d: 1, s: strides.map(() => 0) };
  const outer: number[] = [];
  for (const x of dims) outer.push(x.d, ...x.s);
  return { outer, len: last.d, inner: last.s };
}

/** Outputs up to this size are computed in JavaScript on the heap views: cheaper than a wasm call. */
export const TINY = 8;

interface Compiled {
  readonly name: string;
  readonly fn: ((...a: number[]) => unknown) | null;
  readonly attrs: readonly string[];
  readonly js: ir.ScalarFn;
}

const DTYPE_CODE: Readonly<Record<string, number>> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The kernel of elementwise op `op` from its IR expression; `fallback` (the reference kernel) for dtypes without a wasm form. */
export function irKernel(ctx: CpuContext, op: OpName, fallback: K = jsKernel(ctx, op) as unknown as K): K {
  const def = opTable[op] as { expr?: ir.ElementwiseExpr<any> };
  if (def.expr === undefined) throw new Error(`cpu backend: ${op} has no expression`);
  // Compiled forms by input dtypes (and cast's target dtype), as a small integer code.
  const cache = new Map<number, Compiled | null>();
  const compile = (inputs: readonly T[], attrs: Record<string, unknown>): Compiled | null => {
    const statics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs)) if (typeof v === "string") statics[k] = v;
    const dtypes = inputs.map((t) => t.dtype);
    const name = exportName(op, dtypes, statics);
    if (!ctx.has(name)) return null;
    const expr = kernelExpr(op, dtypes, statics);
    const exact = ir.instantiate(def.expr!, dtypes, statics);
    return { name, fn: ctx.fn(name), attrs: ir.attrNames(expr), js: ir.compileJs(exact, inputs.length, { float32: true }) };
  };
  return (inputs, outputs, attrs, resolved) => {
    const y = outputs[0]!;
    const a = attrs as Record<string, unknown>;
    let code = typeof a["dtype"] === "string" ? 4 + DTYPE_CODE[a["dtype"] as string]! : 0;
    for (let k = 0; k < inputs.length; k++) code = code * 8 + DTYPE_CODE[inputs[k]!.dtype]!;
    let c = cache.get(code);
    if (c === undefined) {
      c = compile(inputs as readonly T[], a);
      cache.set(code, c);
    }
    if (c === null) return fallback(inputs, outputs, attrs, resolved);
    const n = y.size;
    if (n === 0) return;
    let flat = true;
    for (const t of inputs) if (t.size !== n && t.size !== 1) flat = false;
    if (flat && n <= TINY && inputs.length <= 2) return tiny(ctx, c, inputs as readonly T[], y, attrs as Record<string, number>);
    const av = c.attrs.map((k) => a[k] as number);
    const { per, chunks, parallel } = ctx.chunking(n, ctx.thresholds.elementwise);
    const ptrs = inputs.map((t) => t.data.offset);
    if (flat) {
      // Same shapes, or single elements: one inner run, no stride table.
      const s = inputs.map((t) => (t.size === n ? 1 : 0));
      if (!parallel) c.fn!(...ptrs, y.data.offset, 0, 0, n, ...s, n, ...av, n, 0);
      else ctx.run(c.name, [...ptrs, y.data.offset, 0, 0, n, ...s, n, ...av, per], chunks, true);
      return;
    }
    const plan = broadcastPlan(
      inputs.map((t) => t.shape),
      y.shape,
    );
    const tab = ctx.writeInts(plan.outer);
    try {
      ctx.run(c.name, [...ptrs, y.data.offset, tab.offset, plan.outer.length / (inputs.length + 1), plan.len, ...plan.inner, n, ...av, per], chunks, parallel);
    } finally {
      ctx.releaseInts(tab);
    }
  };
}

/** A tiny output computed in JavaScript on the heap views (the expression in float32 rounding). */
function tiny(ctx: CpuContext, c: Compiled, inputs: readonly T[], y: T, attrs: Record<string, number>): void {
  const h = ctx.heap();
  const vy = viewOf(h, y);
  const py = y.data.offset / vy.BYTES_PER_ELEMENT;
  const n = y.size;
  const x = inputs[0]!;
  const vx = viewOf(h, x);
  const px = x.data.offset / vx.BYTES_PER_ELEMENT;
  if (inputs.length === 1) {
    for (let i = 0; i < n; i++) vy[py + i] = c.js(vx[px + i]!, attrs);
    return;
  }
  const b = inputs[1]!;
  const vb = viewOf(h, b);
  const pb = b.data.offset / vb.BYTES_PER_ELEMENT;
  const sx = x.size === n ? 1 : 0;
  const sb = b.size === n ? 1 : 0;
  for (let i = 0; i < n; i++) vy[py + i] = c.js(vx[px + i * sx]!, vb[pb + i * sb]!, attrs);
}

function viewOf(h: ReturnType<CpuContext["heap"]>, t: T): Float32Array | Float64Array | Int32Array | Uint8Array {
  return t.dtype === "float32" ? h.f32 : t.dtype === "float64" ? h.f64 : t.dtype === "int32" ? h.i32 : h.u8;
}

/** A kernel that copies its input unchanged (reshape, stopGradient, cast to the same dtype). */
export function copyKernel(ctx: CpuContext, fallback: K): K {
  return (inputs, outputs, attrs, resolved) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (x.dtype !== y.dtype || x.size !== y.size) return fallback(inputs, outputs, attrs, resolved);
    ctx.copy(y.data.offset, x.data.offset, y.data.bytes);
  };
}

/** cast: a copy for the same dtype, else the IR kernel. */
export function castKernel(ctx: CpuContext, fallback: K): K {
  const copy = copyKernel(ctx, fallback);
  const convert = irKernel(ctx, "cast", fallback);
  return (inputs, outputs, attrs, resolved) => (inputs[0]!.dtype === outputs[0]!.dtype ? copy : convert)(inputs, outputs, attrs, resolved);
}

/** A kernel that fills its output with a constant taken from attrs. */
export function fillKernel(ctx: CpuContext, value: (attrs: any) => number): K {
  return (_inputs, outputs, attrs) => {
    const y = outputs[0]!;
    const v = value(attrs);
    ctx.fill(y.data.offset, y.dtype, y.size, y.dtype === "bool" ? (v && v === v ? 1 : 0) : y.dtype === "int32" ? (Number.isFinite(v) ? Math.trunc(v) : 0) : v);
  };
}
