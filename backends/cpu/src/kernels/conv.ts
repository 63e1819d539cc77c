/**
 * conv2d (NHWC, float32): im2col in wasm (split across threads by output pixels), then the
 * matmul kernel on [pixels, kh*kw*c] x [kh*kw*c, co]. A 1x1, stride-1, unpadded conv skips
 * im2col. Large batches run in groups so the column matrix stays near `COLS_BYTES`.
 */
import type { Attrs, Kernel, KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

/** Target size of one im2col matrix: small enough to stay in L2 until the matmul reads it (5% faster than 32 MiB at 14x14x32->64). */
export const COLS_BYTES = 1 << 20;

type K = Kernel<Attrs<"conv2d">, CpuBuffer>;
type MatmulKernel = Kernel<{ transposeA: boolean; transposeB: boolean }, CpuBuffer>;

/**
 * The column matrix of `lines` output lines (b, oy) from NHWC input at byte offset `xOff`,
 * split across threads by lines. `geo` is [H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW].
 */
export function im2colLines(ctx: CpuContext, xOff: number, colsOff: number, geo: readonly number[], lines: number): void {
  const [, , C, KH, KW, , , , , , , , OW] = geo as number[];
  const rowElems = OW! * KH! * KW! * C!;
  const { per, parallel } = ctx.chunking(lines * rowElems, ctx.thresholds.elementwise, 1);
  const perLines = Math.max(1, Math.ceil(per / Math.max(1, rowElems)));
  const chunks = Math.ceil(lines / perLines);
  ctx.run("im2col_f32", [xOff, colsOff, ...geo, lines, perLines], chunks, parallel && chunks > 1);
}

/** The conv2d kernel; `matmul` is the backend's matmul kernel. */
export function conv2dKernel(ctx: CpuContext, matmul: MatmulKernel, fallback: K): K {
  return (inputs, outputs, attrs) => {
    const [x, f] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const y = outputs[0]!;
    if (x.dtype !== "float32" || f.dtype !== "float32" || y.dtype !== "float32") return fallback(inputs, outputs, attrs);
    const [n, H, W, C] = x.shape as [number, number, number, number];
    const [KH, KW, , CO] = f.shape as [number, number, number, number];
    const [, OH, OW] = y.shape as [number, number, number, number];
    const [SH, SW] = attrs.strides;
    const [DH, DW] = attrs.dilations;
    const { top: PT, left: PL, bottom: PB, right: PR } = attrs.pad;
    const Kd = KH * KW * C;
    const filter = { data: f.data, shape: [Kd, CO], dtype: f.dtype, size: f.size };
    const pixels = OH * OW;
    const pointwise = KH === 1 && KW === 1 && SH === 1 && SW === 1 && PT === 0 && PL === 0 && PB === 0 && PR === 0;
    if (pointwise) {
      matmul([{ data: x.data, shape: [n * pixels, C], dtype: x.dtype, size: x.size }, filter], [{ data: y.data, shape: [n * pixels, CO], dtype: y.dtype, size: y.size }], {
        transposeA: false,
        transposeB: false,
      });
      return;
    }
    // Enough rows per group for 8 matmul tiles per thread, else near COLS_BYTES.
    const minGroup = Math.ceil((ctx.threads * 8 * 64) / Math.max(1, pixels));
    const group = Math.max(1, Math.min(n, Math.max(minGroup, Math.floor(COLS_BYTES / Math.max(1, pixels * Kd * 4)))));
    const cols = ctx.arena.allocScratch(group * pixels * Kd * 4);
    try {
      for (let b0 = 0; b0 < n; b0 += group) {
        const g = Math.min(group, n - b0);
        const rows = g * pixels;
        const xOff = x.data.offset + b0 * H * W * C * 4;
        im2colLines(ctx, xOff, cols.offset, [H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW], g * OH);
        const yPart = { offset: y.data.offset + b0 * pixels * CO * 4, bytes: rows * CO * 4, capacity: 0, freed: false };
        matmul([{ data: cols, shape: [rows, Kd], dtype: "float32", size: rows * Kd }, filter], [{ data: yPart, shape: [rows, CO], dtype: "float32", size: rows * CO }], {
          transposeA: false,
          transposeB: false,
        });
      }
    } finally {
      ctx.arena.free(cols);
    }
  };
}
