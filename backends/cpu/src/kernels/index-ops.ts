/**
 * Index kernels in wasm for the ops training loops use: gather (embedding lookups),
 * unsortedSegmentSum (its gradient), argMax (accuracy) and stridedSliceGrad (the gradient of
 * slicing and splitting). Indices are checked in JavaScript first; an out-of-range index, or a
 * dtype without a wasm form, runs the reference kernel, which raises the op's own error.
 */
import { bytesPerElement, sizeOf, stridesOf, type Attrs, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

type K<N extends "gather" | "unsortedSegmentSum" | "argMax" | "stridedSliceGrad"> = Kernel<Attrs<N>, CpuBuffer>;

/** Whether every int32 index of `t` lies in [0, n). */
function indicesInRange(ctx: CpuContext, t: KernelTensor<CpuBuffer>, n: number): boolean {
  const v = ctx.heap().i32;
  const p = t.data.offset >> 2;
  for (let i = 0; i < t.size; i++) {
    const k = v[p + i]!;
    if (k < 0 || k >= n) return false;
  }
  return true;
}

/** Chunks of `units` (each about `cost` elements of work) for the pool. */
function split(ctx: CpuContext, units: number, cost: number): { per: number; chunks: number; parallel: boolean } {
  if (units * cost < ctx.thresholds.elementwise || ctx.threads === 1 || units < 2) return { per: Math.max(units, 1), chunks: 1, parallel: false };
  const per = Math.ceil(units / (ctx.threads * 4));
  return { per, chunks: Math.ceil(units / per), parallel: true };
}

/** gather: one row copy per (batch, outer, index). */
export function gatherKernel(ctx: CpuContext, fallback: K<"gather">): K<"gather"> {
  return (inputs, outputs, a, op) => {
    const [x, idx] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const y = outputs[0]!;
    const n = x.shape[a.axis]!;
    if (y.size === 0) return;
    if (!indicesInRange(ctx, idx, n)) return fallback(inputs, outputs, a, op);
    const O = sizeOf(x.shape.slice(a.batchDims, a.axis));
    const I = sizeOf(idx.shape.slice(a.batchDims));
    const R = sizeOf(x.shape.slice(a.axis + 1));
    const rows = sizeOf(x.shape.slice(0, a.batchDims)) * O * I;
    const { per, chunks, parallel } = split(ctx, rows, R);
    ctx.run("gather_rows", [x.data.offset, idx.data.offset, y.data.offset, O, n, I, R * bytesPerElement(x.dtype), rows, per], chunks, parallel);
  };
}

/** unsortedSegmentSum: zero the output, then add rows into their segments (float32, int32). */
export function segmentSumKernel(ctx: CpuContext, fallback: K<"unsortedSegmentSum">): K<"unsortedSegmentSum"> {
  return (inputs, outputs, a, op) => {
    const [x, ids] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const y = outputs[0]!;
    const t = x.dtype === "float32" ? "f32" : x.dtype === "int32" ? "i32" : null;
    if (t === null || !indicesInRange(ctx, ids, a.numSegments)) return fallback(inputs, outputs, a, op);
    ctx.zero(y.data);
    const k = ids.shape.length - a.batchDims;
    const O = sizeOf(x.shape.slice(a.batchDims, a.axis));
    const I = sizeOf(ids.shape.slice(a.batchDims));
    const R = sizeOf(x.shape.slice(a.axis + k));
    const BO = sizeOf(x.shape.slice(0, a.batchDims)) * O;
    if (x.size === 0) return;
    const { per, chunks, parallel } = split(ctx, BO, I * R);
    ctx.run(`segsum_${t}`, [x.data.offset, ids.data.offset, y.data.offset, O, a.numSegments, I, R, BO, per], chunks, parallel);
  };
}

/** argMax over one axis (float32, int32): the first maximum, a NaN counting as the maximum. */
export function argMaxKernel(ctx: CpuContext, fallback: K<"argMax">): K<"argMax"> {
  return (inputs, outputs, a, op) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    const t = x.dtype === "float32" ? "f32" : x.dtype === "int32" ? "i32" : null;
    if (t === null || x.shape.length === 0) return fallback(inputs, outputs, a, op);
    const n = x.shape[a.axis]!;
    const inner = sizeOf(x.shape.slice(a.axis + 1));
    const total = y.size;
    if (total === 0) return;
    const { per, chunks, parallel } = split(ctx, total, n);
    ctx.run(`argmax_${t}`, [x.data.offset, y.data.offset, n, inner, total, per], chunks, parallel);
  };
}

/** stridedSliceGrad: zero the output, then write dy at the window's strided positions. */
export function stridedSliceGradKernel(ctx: CpuContext): K<"stridedSliceGrad"> {
  return ([dy], [y], a) => {
    ctx.zero(y!.data);
    const n = dy!.size;
    if (n === 0) return;
    const ys = stridesOf(y!.shape);
    let base = 0;
    for (let i = 0; i < ys.length; i++) base += (a.begin[i] ?? 0) * ys[i]!;
    const steps = ys.map((s, i) => s * (a.strides[i] ?? 1));
    // Merge adjacent dims that stay contiguous in y; the last one is the row.
    const dims: { d: number; s: number }[] = [];
    dy!.shape.forEach((d, i) => {
      if (d === 1) return;
      const prev = dims[dims.length - 1];
      if (prev && prev.s === steps[i]! * d) dims[dims.length - 1] = { d: prev.d * d, s: steps[i]! };
      else dims.push({ d, s: steps[i]! });
    });
    const row = dims.pop() ?? { d: 1, s: 1 };
    const outer: number[] = [];
    for (const q of dims) outer.push(q.d, q.s);
    const w = bytesPerElement(y!.dtype);
    const tab = ctx.writeInts(outer);
    try {
      const { per, chunks, parallel } = ctx.chunking(n, ctx.thresholds.elementwise);
      ctx.run(`scatter_${w}`, [dy!.data.offset, y!.data.offset + base * w, tab.offset, dims.length, row.d, row.s, n, per], chunks, parallel);
    } finally {
      ctx.releaseInts(tab);
    }
  };
}
