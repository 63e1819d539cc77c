/**
 * conv2d (NHWC, float32): im2col in wasm, then the matmul kernel on [pixels, kh*kw*c] x
 * [kh*kw*c, co], in batch groups near `COLS_BYTES`; a 1x1 stride-1 unpadded conv skips im2col;
 * 3x3 stride-1 convs with enough channels use Winograd F(2x2, 3x3) transforms around it.
 */
import { conv2dGeometry, geometryOf, type Attrs, type Kernel, type KernelTensor } from "@eager/core/backend";
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

/** Winograd F(2x2, 3x3) for 3x3, stride 1, undilated convs with enough channels to pay for the transforms. */
export function winogradApplies(KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, C: number, CO: number): boolean {
  return KH === 3 && KW === 3 && SH === 1 && SW === 1 && DH === 1 && DW === 1 && C >= 8 && CO >= 8;
}

/** Target bytes of one group's transformed input and products (16 x tiles x (C + CO) floats). */
export const WINOGRAD_GROUP_BYTES = 2 << 20;

/**
 * conv2d by Winograd F(2x2, 3x3): 2.25x fewer multiplies than im2col. The filter becomes
 * 16 matrices G g G^T [C, CO]; each 4x4 input tile becomes 16 rows B^T d B; 16 batched
 * matmuls give the products; A^T m A makes each 2x2 output tile. In groups of images.
 */
function winogradConv(ctx: CpuContext, matmul: MatmulKernel, x: KernelTensor<CpuBuffer>, f: KernelTensor<CpuBuffer>, y: KernelTensor<CpuBuffer>, PT: number, PL: number): void {
  const [n, H, W, C] = x.shape as [number, number, number, number];
  const CO = f.shape[3]!;
  const [, OH, OW] = y.shape as [number, number, number, number];
  const TH = Math.ceil(OH / 2);
  const TW = Math.ceil(OW / 2);
  const perImage = TH * TW;
  const minGroup = Math.ceil((ctx.threads * 4 * 64) / perImage);
  const group = Math.max(1, Math.min(n, Math.max(minGroup, Math.floor(WINOGRAD_GROUP_BYTES / (16 * perImage * (C + CO) * 4)))));
  const wt = ctx.arena.allocScratch(16 * C * CO * 4);
  const u = ctx.arena.allocScratch(16 * group * perImage * C * 4);
  const m = ctx.arena.allocScratch(16 * group * perImage * CO * 4);
  try {
    transformFilter(ctx, f.data, wt, C, CO);
    for (let b0 = 0; b0 < n; b0 += group) {
      const g = Math.min(group, n - b0);
      const T = g * perImage;
      const { per, chunks, parallel } = ctx.chunking(T * 16 * C, ctx.thresholds.elementwise, 1);
      const perT = Math.max(1, Math.ceil(per / (16 * C)));
      ctx.run("wino_in_f32", [x.data.offset + b0 * H * W * C * 4, u.offset, H, W, C, PT, PL, TH, TW, T, perT], Math.ceil(T / perT), parallel && chunks > 1);
      matmul(
        [
          { data: u, shape: [16, T, C], dtype: "float32", size: 16 * T * C },
          { data: wt, shape: [16, C, CO], dtype: "float32", size: 16 * C * CO },
        ],
        [{ data: m, shape: [16, T, CO], dtype: "float32", size: 16 * T * CO }],
        { transposeA: false, transposeB: false },
      );
      const o = ctx.chunking(T * 16 * CO, ctx.thresholds.elementwise, 1);
      const perO = Math.max(1, Math.ceil(o.per / (16 * CO)));
      ctx.run("wino_out_f32", [m.offset, y.data.offset + b0 * OH * OW * CO * 4, OH, OW, CO, TH, TW, T, perO], Math.ceil(T / perO), o.parallel && o.chunks > 1);
    }
  } finally {
    ctx.arena.free(wt);
    ctx.arena.free(u);
    ctx.arena.free(m);
  }
}

/** wt[k = 4i + j][c][co] = (G g G^T)[i][j] for g = filter[:, :, c, co] (HWIO), G = [[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]]. */
function transformFilter(ctx: CpuContext, filter: CpuBuffer, wt: CpuBuffer, C: number, CO: number): void {
  const h = ctx.heap().f32;
  const src = filter.offset >> 2;
  const dst = wt.offset >> 2;
  const plane = C * CO;
  const g = new Float64Array(9);
  const t = new Float64Array(12);
  for (let c = 0; c < C; c++)
    for (let co = 0; co < CO; co++) {
      for (let k = 0; k < 9; k++) g[k] = h[src + k * plane + c * CO + co]!;
      // t = G g (4 x 3)
      for (let j = 0; j < 3; j++) {
        const a = g[j]!, b = g[3 + j]!, d = g[6 + j]!;
        t[j] = a;
        t[3 + j] = 0.5 * (a + b + d);
        t[6 + j] = 0.5 * (a - b + d);
        t[9 + j] = d;
      }
      // wt = t G^T (4 x 4)
      for (let i = 0; i < 4; i++) {
        const a = t[i * 3]!, b = t[i * 3 + 1]!, d = t[i * 3 + 2]!;
        const o = dst + c * CO + co;
        h[o + (i * 4) * plane] = a;
        h[o + (i * 4 + 1) * plane] = 0.5 * (a + b + d);
        h[o + (i * 4 + 2) * plane] = 0.5 * (a - b + d);
        h[o + (i * 4 + 3) * plane] = d;
      }
    }
}

/** The conv2d kernel; `matmul` is the backend's matmul kernel. */
export function conv2dKernel(ctx: CpuContext, matmul: MatmulKernel, fallback: K): K {
  return (inputs, outputs, attrs, op) => {
    if (!conv2dF32(ctx, matmul, inputs, outputs, attrs, op, true)) fallback(inputs, outputs, attrs, op);
  };
}

/**
 * float32 conv2d through `matmul` (every product it makes is a block of rows of `y`, as
 * [rows, CO] views), or through Winograd when `winograd` allows and it applies. False, with
 * nothing run, for other dtypes or when Winograd would apply but is not allowed.
 */
export function conv2dF32(ctx: CpuContext, matmul: MatmulKernel, inputs: Parameters<K>[0], outputs: Parameters<K>[1], attrs: Attrs<"conv2d">, op: Parameters<K>[3], winograd: boolean): boolean {
  const [x, f] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
  const y = outputs[0]!;
  if (x.dtype !== "float32" || f.dtype !== "float32" || y.dtype !== "float32") return false;
  const g = geometryOf(op, () => conv2dGeometry("conv2d", x.shape, f.shape, attrs));
  const { n, h: H, w: W, c: C, kh: KH, kw: KW, oh: OH, ow: OW, sh: SH, sw: SW, dh: DH, dw: DW, pt: PT, pl: PL } = g;
  const CO = f.shape[3]!;
  const { bottom: PB, right: PR } = attrs.pad;
  const Kd = KH * KW * C;
  const filter = { data: f.data, shape: [Kd, CO], dtype: f.dtype, size: f.size };
  const pixels = OH * OW;
  const pointwise = KH === 1 && KW === 1 && SH === 1 && SW === 1 && PT === 0 && PL === 0 && PB === 0 && PR === 0;
  if (pointwise) {
    matmul([{ data: x.data, shape: [n * pixels, C], dtype: x.dtype, size: x.size }, filter], [{ data: y.data, shape: [n * pixels, CO], dtype: y.dtype, size: y.size }], {
      transposeA: false,
      transposeB: false,
    });
    return true;
  }
  if (winogradApplies(KH, KW, SH, SW, DH, DW, C, CO)) {
    if (!winograd) return false;
    winogradConv(ctx, matmul, x, f, y, PT, PL);
    return true;
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
  return true;
}
