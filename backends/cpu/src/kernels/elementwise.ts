/**
 * Elementwise kernels: binary ops with broadcasting and unary ops in WebAssembly SIMD for
 * float32/float64 (and int32 add/sub/mul/min/max), copies for the identity-like ops, and
 * the reference kernel for every other dtype.
 */
import { broadcastStrides, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { BINARY_OPS, UNARY_OPS } from "../wasm/elementwise-wat.js";
import { wasmDType } from "../wasm/types.js";
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

/** A binary kernel: wasm when the dtype has it, else `fallback`. */
export function binaryKernel(ctx: CpuContext, op: string, fallback: K): K {
  const forms = BINARY_OPS[op]!;
  return (inputs, outputs, attrs) => {
    const [a, b] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const y = outputs[0]!;
    const dt = wasmDType(y.dtype);
    if (!dt || !forms[dt] || a.dtype !== y.dtype || b.dtype !== y.dtype) return fallback(inputs, outputs, attrs);
    const plan = broadcastPlan(a.shape, b.shape, y.shape);
    const { per, chunks, parallel } = ctx.chunking(y.size, ctx.thresholds.elementwise);
    const tab = ctx.writeInts(plan.outer);
    try {
      ctx.run(`bin_${op}_${dt}`, [a.data.offset, b.data.offset, y.data.offset, tab.offset, plan.outer.length / 3, plan.len, plan.sa, plan.sb, y.size, per], chunks, parallel);
    } finally {
      tab.release();
    }
  };
}

/** A unary kernel (with up to two scalar params from attrs): wasm for float32/float64, else `fallback`. */
export function unaryKernel(ctx: CpuContext, op: string, fallback: K, params?: (attrs: any) => [number, number]): K {
  const forms = UNARY_OPS[op]!;
  return (inputs, outputs, attrs) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    const dt = wasmDType(y.dtype);
    if ((dt !== "f32" && dt !== "f64") || !forms[dt] || x.dtype !== y.dtype) return fallback(inputs, outputs, attrs);
    const [p0, p1] = params ? params(attrs) : [0, 0];
    const { per, chunks, parallel } = ctx.chunking(y.size, ctx.thresholds.elementwise);
    ctx.run(`un_${op}_${dt}`, [x.data.offset, y.data.offset, y.size, p0, p1, per], chunks, parallel);
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

/** A kernel that fills its output with a constant taken from attrs. */
export function fillKernel(ctx: CpuContext, value: (attrs: any) => number): K {
  return (_inputs, outputs, attrs) => {
    const y = outputs[0]!;
    const v = value(attrs);
    ctx.fill(y.data.offset, y.dtype, y.size, y.dtype === "bool" ? (v && v === v ? 1 : 0) : y.dtype === "int32" ? (Number.isFinite(v) ? Math.trunc(v) : 0) : v);
  };
}
