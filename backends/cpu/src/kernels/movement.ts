/**
 * Movement kernels as strided copies in wasm: transpose, broadcastTo and stridedSlice give
 * each output dimension an input stride (0 where broadcast); adjacent dimensions that stay
 * contiguous are merged, and the output is split across threads above the threshold.
 */
import { bytesPerElement, stridesOf, type Attrs, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

type K<N extends "transpose" | "broadcastTo" | "stridedSlice"> = Kernel<Attrs<N>, CpuBuffer>;

/** y (contiguous, shape `shape`) = x[base + sum_d i_d * strides[d]] (element units). */
export function stridedCopy(ctx: CpuContext, x: CpuBuffer, y: CpuBuffer, width: number, shape: readonly number[], strides: readonly number[], base: number): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  const dims: { d: number; s: number }[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const prev = dims[dims.length - 1];
    if (prev && prev.s === strides[i]! * d) dims[dims.length - 1] = { d: prev.d * d, s: strides[i]! };
    else dims.push({ d, s: strides[i]! });
  }
  const inner = dims.pop() ?? { d: 1, s: 1 };
  const outer: number[] = [];
  for (const q of dims) outer.push(q.d, q.s);
  const tab = ctx.writeInts(outer);
  try {
    const { per, chunks, parallel } = ctx.chunking(n, ctx.thresholds.elementwise);
    ctx.run(`gather_${width}`, [x.offset + base * width, y.offset, tab.offset, dims.length, inner.d, inner.s, n, per], chunks, parallel);
  } finally {
    ctx.releaseInts(tab);
  }
}

/** The element width when the dtype has a gather kernel (all core dtypes: 1, 4 or 8 bytes). */
function width(t: KernelTensor<CpuBuffer>): number {
  return bytesPerElement(t.dtype);
}

/** transpose: y.shape[i] = x.shape[perm[i]], read at x's stride of axis perm[i]. */
export function transposeKernel(ctx: CpuContext): K<"transpose"> {
  return ([x], [y], a) => {
    const xs = stridesOf(x!.shape);
    stridedCopy(ctx, x!.data, y!.data, width(x!), y!.shape, a.perm.map((i) => xs[i]!), 0);
  };
}

/** broadcastTo: stride 0 along the broadcast axes. */
export function broadcastToKernel(ctx: CpuContext): K<"broadcastTo"> {
  return ([x], [y]) => {
    const xs = stridesOf(x!.shape);
    const off = y!.shape.length - x!.shape.length;
    const strides = y!.shape.map((_, i) => (i < off || x!.shape[i - off] === 1 ? 0 : xs[i - off]!));
    stridedCopy(ctx, x!.data, y!.data, width(x!), y!.shape, strides, 0);
  };
}

/** stridedSlice: begin offsets and per-axis steps (possibly negative). */
export function stridedSliceKernel(ctx: CpuContext): K<"stridedSlice"> {
  return ([x], [y], a) => {
    const xs = stridesOf(x!.shape);
    let base = 0;
    for (let i = 0; i < xs.length; i++) base += (a.begin[i] ?? 0) * xs[i]!;
    const steps = xs.map((s, i) => s * (a.strides[i] ?? 1));
    stridedCopy(ctx, x!.data, y!.data, width(x!), y!.shape, steps, base);
  };
}
