/**
 * Elementwise kernels: binary ops with broadcasting and unary ops in WebAssembly SIMD for
 * float32/float64 (and int32 add/sub/mul/min/max), copies for the identity-like ops, and
 * the reference kernel for every other dtype.
 */
import { broadcastStrides, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { BINARY_OPS, CAST_EXPORTS, COMPARE_OPS, UNARY_OPS } from "../wasm/elementwise-wat.js";
import { wasmDType, type WasmDType } from "../wasm/types.js";
import type { CpuContext } from "./context.js";

type K = Kernel<any, CpuBuffer>;

/** A broadcast binary op as outer dims [dim, strideA, strideB] plus an inner run. */
export interface BroadcastPlan {
  readonly outer: number[];
  readonly len: number;
  readonly sa: number;
  readonly sb: number;
}

/** Collapse the output into as few dims as the broadcast pattern allows (at most `maxOuter` outer dims). */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[], out: readonly number[]): BroadcastPlan {
  const sa = broadcastStrides(aShape, out);
  const sb = broadcastStrides(bShape, out);
  const dims: { d: number; a: number; b: number }[] = [];
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === 1) continue;
    const prev = dims[dims.length - 1];
    if (prev && prev.a === sa[i]! * d && prev.b === sb[i]! * d) dims[dims.length - 1] = { d: prev.d * d, a: sa[i]!, b: sb[i]! };
    else dims.push({ d, a: sa[i]!, b: sb[i]! });
  }
  const inner = dims.pop() ?? { d: 1, a: 0, b: 0 };
  const outer: number[] = [];
  for (const x of dims) outer.push(x.d, x.a, x.b);
  return { outer, len: inner.d, sa: inner.a, sb: inner.b };
}

/** Outputs up to this size are computed in JavaScript on the heap views: cheaper than a wasm call. */
export const TINY = 8;

type Scalar = (a: number, b: number) => number;
const f32 = Math.fround;
/** JavaScript forms of the arithmetic ops with the wasm results (f32 rounding, NaN and -0 as f32x4/i32x4). */
const TINY_OPS: Record<string, Partial<Record<WasmDType, Scalar>>> = {
  add: { f32: (a, b) => f32(a + b), f64: (a, b) => a + b, i32: (a, b) => (a + b) | 0 },
  sub: { f32: (a, b) => f32(a - b), f64: (a, b) => a - b, i32: (a, b) => (a - b) | 0 },
  mul: { f32: (a, b) => f32(a * b), f64: (a, b) => a * b, i32: (a, b) => Math.imul(a, b) },
  div: { f32: (a, b) => f32(a / b), f64: (a, b) => a / b },
  minimum: { f32: Math.min, f64: Math.min, i32: Math.min },
  maximum: { f32: Math.max, f64: Math.max, i32: Math.max },
};

/** A binary kernel (arithmetic, or a comparison with a bool output): wasm when the dtype has it, else `fallback`. */
export function binaryKernel(ctx: CpuContext, op: string, fallback: K): K {
  const compare = op in COMPARE_OPS;
  const forms = (compare ? COMPARE_OPS : BINARY_OPS)[op]!;
  const tiny = compare ? {} : (TINY_OPS[op] ?? {});
  const names: Partial<Record<WasmDType, string>> = {};
  const fns: Partial<Record<WasmDType, (...a: number[]) => unknown>> = {};
  for (const dt of Object.keys(forms) as WasmDType[]) {
    names[dt] = `bin_${op}_${dt}`;
    fns[dt] = ctx.fn(names[dt]!);
  }
  return (inputs, outputs, attrs) => {
    const a = inputs[0] as KernelTensor<CpuBuffer>;
    const b = inputs[1] as KernelTensor<CpuBuffer>;
    const y = outputs[0]!;
    const dt = wasmDType(a.dtype);
    const f = dt === null ? undefined : fns[dt];
    if (f === undefined || b.dtype !== a.dtype || y.dtype !== (compare ? "bool" : a.dtype)) return fallback(inputs, outputs, attrs);
    const n = y.size;
    const small = n < ctx.thresholds.elementwise || ctx.threads === 1;
    // Same shapes, or a scalar on either side: one inner run, no stride table.
    if ((a.size === n || a.size === 1) && (b.size === n || b.size === 1)) {
      const sa = a.size === n ? 1 : 0;
      const sb = b.size === n ? 1 : 0;
      const js = tiny[dt!];
      if (js !== undefined && n <= TINY) {
        const h = ctx.heap();
        const v = dt === "f32" ? h.f32 : dt === "f64" ? h.f64 : h.i32;
        const sh = dt === "f64" ? 3 : 2;
        const pa = a.data.offset >> sh;
        const pb = b.data.offset >> sh;
        const py = y.data.offset >> sh;
        for (let i = 0; i < n; i++) v[py + i] = js(v[pa + i * sa]!, v[pb + i * sb]!);
        return;
      }
      if (small) {
        f(a.data.offset, b.data.offset, y.data.offset, 0, 0, Math.max(n, 1), sa, sb, n, Math.max(n, 1), 0);
        return;
      }
      const { per, chunks } = ctx.chunking(n, ctx.thresholds.elementwise);
      ctx.run(names[dt!]!, [a.data.offset, b.data.offset, y.data.offset, 0, 0, n, sa, sb, n, per], chunks, true);
      return;
    }
    const plan = broadcastPlan(a.shape, b.shape, y.shape);
    const { per, chunks, parallel } = ctx.chunking(n, ctx.thresholds.elementwise);
    const tab = ctx.writeInts(plan.outer);
    try {
      ctx.run(names[dt!]!, [a.data.offset, b.data.offset, y.data.offset, tab.offset, plan.outer.length / 3, plan.len, plan.sa, plan.sb, n, per], chunks, parallel);
    } finally {
      ctx.releaseInts(tab);
    }
  };
}

/** A unary kernel (with up to two scalar params from attrs): wasm for float32/float64, else `fallback`. */
export function unaryKernel(ctx: CpuContext, op: string, fallback: K, params?: (attrs: any) => [number, number]): K {
  const forms = UNARY_OPS[op]!;
  const names: Partial<Record<WasmDType, string>> = {};
  const fns: Partial<Record<WasmDType, (...a: number[]) => unknown>> = {};
  for (const dt of Object.keys(forms) as ("f32" | "f64")[]) {
    names[dt] = `un_${op}_${dt}`;
    fns[dt] = ctx.fn(names[dt]!);
  }
  return (inputs, outputs, attrs) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    const dt = wasmDType(y.dtype);
    const f = dt === null ? undefined : fns[dt];
    if (f === undefined || x.dtype !== y.dtype) return fallback(inputs, outputs, attrs);
    const p0 = params ? params(attrs)[0] : 0;
    const p1 = params ? params(attrs)[1] : 0;
    const n = y.size;
    if (n < ctx.thresholds.elementwise || ctx.threads === 1) {
      f(x.data.offset, y.data.offset, n, p0, p1, n, 0);
      return;
    }
    const { per, chunks } = ctx.chunking(n, ctx.thresholds.elementwise);
    ctx.run(names[dt!]!, [x.data.offset, y.data.offset, n, p0, p1, per], chunks, true);
  };
}

/** A kernel that copies its input unchanged (reshape, stopGradient, cast to the same dtype). */
export function copyKernel(ctx: CpuContext, fallback: K): K {
  return (inputs, outputs, attrs) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (x.dtype !== y.dtype || x.size !== y.size) return fallback(inputs, outputs, attrs);
    ctx.copy(y.data.offset, x.data.offset, y.data.bytes);
  };
}

/** cast: a copy for the same dtype, wasm for bool/int32/float32 pairs in CAST_EXPORTS, else `fallback`. */
export function castKernel(ctx: CpuContext, fallback: K): K {
  const copy = copyKernel(ctx, fallback);
  const fns = new Map(Object.entries(CAST_EXPORTS).map(([k, name]) => [k, { name, f: ctx.fn(name) }]));
  return (inputs, outputs, attrs) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (x.dtype === y.dtype) return copy(inputs, outputs, attrs);
    const c = fns.get(`${x.dtype}>${y.dtype}`);
    if (c === undefined || x.size !== y.size) return fallback(inputs, outputs, attrs);
    const n = y.size;
    if (n < ctx.thresholds.elementwise || ctx.threads === 1) {
      c.f(x.data.offset, y.data.offset, n, n, 0);
      return;
    }
    const { per, chunks } = ctx.chunking(n, ctx.thresholds.elementwise);
    ctx.run(c.name, [x.data.offset, y.data.offset, n, per], chunks, true);
  };
}

/** A kernel that fills its output with a constant taken from attrs. */
export function fillKernel(ctx: CpuContext, value: (attrs: any) => number): K {
  return (_inputs, outputs, attrs) => {
    const y = outputs[0]!;
    const v = value(attrs);
    ctx.fill(y.data.offset, y.dtype, y.size, y.dtype === "bool" ? (v && v === v ? 1 : 0) : y.dtype === "int32" ? (Number.isFinite(v) ? Math.trunc(v) : 0) : v);
  };
}
