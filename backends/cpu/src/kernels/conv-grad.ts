/**
 * conv2d's gradients (NHWC, float32) on the matmul kernel: the filter gradient is
 * im2col(x)^T dy, the input gradient is col2im(dy W^T). im2col runs in wasm, col2im (a
 * scatter-add over the column matrix) in JS on views. Other dtypes use the reference kernels.
 */
import { conv2dGeometry, geometryOf, type Attrs, type Kernel, type KernelTensor, type WindowGeometry } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { COLS_BYTES, im2colLines } from "./conv.js";
import type { CpuContext } from "./context.js";

type MatmulKernel = Kernel<{ transposeA: boolean; transposeB: boolean }, CpuBuffer>;
type Tensor = KernelTensor<CpuBuffer>;

interface Geometry {
  n: number; H: number; W: number; C: number; KH: number; KW: number; CO: number; OH: number; OW: number;
  SH: number; SW: number; DH: number; DW: number; PT: number; PL: number; Kd: number; pixels: number;
}

/** The im2col geometry from the call's window plan and the output channel count. */
function geometry(w: WindowGeometry, CO: number): Geometry {
  const { n, h: H, w: W, c: C, kh: KH, kw: KW, oh: OH, ow: OW } = w;
  return { n, H, W, C, KH, KW, CO, OH, OW, SH: w.sh, SW: w.sw, DH: w.dh, DW: w.dw, PT: w.pt, PL: w.pl, Kd: KH * KW * C, pixels: OH * OW };
}

/** Batches per im2col group, so the column matrix stays near COLS_BYTES. */
function groupSize(g: Geometry): number {
  return Math.max(1, Math.min(g.n, Math.floor(COLS_BYTES / Math.max(1, g.pixels * g.Kd * 4))));
}

/** A buffer-like slice of `b` starting `elements` float32 elements in. */
function at(b: CpuBuffer, elements: number, size: number): CpuBuffer {
  return { offset: b.offset + elements * 4, bytes: size * 4, capacity: 0, freed: false };
}

function f32(data: CpuBuffer, shape: readonly number[]): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return { data, shape, dtype: "float32", size };
}

/** df[Kd, CO] = sum over batch groups of im2col(x)^T dy. */
export function conv2dBackpropFilterKernel(ctx: CpuContext, matmul: MatmulKernel, fallback: Kernel<Attrs<"conv2dBackpropFilter">, CpuBuffer>): Kernel<Attrs<"conv2dBackpropFilter">, CpuBuffer> {
  return (inputs, outputs, attrs, op) => {
    const [x, dy] = inputs as [Tensor, Tensor];
    const df = outputs[0]!;
    if (x.dtype !== "float32" || dy.dtype !== "float32") return fallback(inputs, outputs, attrs, op);
    const g = geometry(geometryOf(op, () => conv2dGeometry("conv2dBackpropFilter", x.shape, attrs.filterShape, attrs)), attrs.filterShape[3]!);
    const group = groupSize(g);
    const cols = ctx.arena.allocScratch(group * g.pixels * g.Kd * 4);
    const partial = group < g.n ? ctx.arena.allocScratch(g.Kd * g.CO * 4) : null;
    try {
      for (let b0 = 0; b0 < g.n; b0 += group) {
        const rows = Math.min(group, g.n - b0) * g.pixels;
        im2col(ctx, g, x.data, b0, rows, cols);
        const target = b0 === 0 ? df.data : partial!;
        matmul([f32(cols, [rows, g.Kd]), f32(at(dy.data, b0 * g.pixels * g.CO, rows * g.CO), [rows, g.CO])], [f32(target, [g.Kd, g.CO])], {
          transposeA: true,
          transposeB: false,
        });
        if (b0 > 0) {
          const heap = ctx.heap().f32;
          const d = df.data.offset >> 2;
          const p = partial!.offset >> 2;
          for (let i = 0; i < g.Kd * g.CO; i++) heap[d + i]! += heap[p + i]!;
        }
      }
    } finally {
      ctx.arena.free(cols);
      if (partial) ctx.arena.free(partial);
    }
  };
}

/** dx = col2im(dy W^T), over batch groups. */
export function conv2dBackpropInputKernel(ctx: CpuContext, matmul: MatmulKernel, fallback: Kernel<Attrs<"conv2dBackpropInput">, CpuBuffer>): Kernel<Attrs<"conv2dBackpropInput">, CpuBuffer> {
  return (inputs, outputs, attrs, op) => {
    const [dy, f] = inputs as [Tensor, Tensor];
    const dx = outputs[0]!;
    if (dy.dtype !== "float32" || f.dtype !== "float32") return fallback(inputs, outputs, attrs, op);
    const g = geometry(geometryOf(op, () => conv2dGeometry("conv2dBackpropInput", attrs.inputShape, f.shape, attrs)), f.shape[3]!);
    const group = groupSize(g);
    const dcols = ctx.arena.allocScratch(group * g.pixels * g.Kd * 4);
    try {
      ctx.zero(dx.data);
      for (let b0 = 0; b0 < g.n; b0 += group) {
        const rows = Math.min(group, g.n - b0) * g.pixels;
        matmul([f32(at(dy.data, b0 * g.pixels * g.CO, rows * g.CO), [rows, g.CO]), f32(f.data, [g.Kd, g.CO])], [f32(dcols, [rows, g.Kd])], {
          transposeA: false,
          transposeB: true,
        });
        col2im(ctx.heap().f32, g, dcols.offset >> 2, dx.data.offset >> 2, b0, rows);
      }
    } finally {
      ctx.arena.free(dcols);
    }
  };
}

/** The column matrix of batches b0.. (rows = batches * pixels) by the wasm im2col kernel. */
function im2col(ctx: CpuContext, g: Geometry, x: CpuBuffer, b0: number, rows: number, cols: CpuBuffer): void {
  const xOff = x.offset + b0 * g.H * g.W * g.C * 4;
  im2colLines(ctx, xOff, cols.offset, [g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.PT, g.PL, g.OH, g.OW], rows / g.OW);
}

/** Scatter-add the column matrix (rows x Kd at `src`) into dx (at `dst`, float32 indices). */
function col2im(heap: Float32Array, g: Geometry, src: number, dst: number, b0: number, rows: number): void {
  const { H, W, C, KH, KW, OW, SH, SW, DH, DW, PT, PL, Kd, pixels } = g;
  for (let r = 0; r < rows; r++) {
    const b = b0 + Math.floor(r / pixels);
    const p = r % pixels;
    const y0 = Math.floor(p / OW) * SH - PT;
    const x0 = (p % OW) * SW - PL;
    const rowBase = src + r * Kd;
    for (let ky = 0; ky < KH; ky++) {
      const iy = y0 + ky * DH;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = x0 + kx * DW;
        if (ix < 0 || ix >= W) continue;
        const out = dst + ((b * H + iy) * W + ix) * C;
        const inp = rowBase + (ky * KW + kx) * C;
        for (let ci = 0; ci < C; ci++) heap[out + ci]! += heap[inp + ci]!;
      }
    }
  }
}
