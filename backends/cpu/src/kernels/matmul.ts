/**
 * The float32 matmul kernel: B packed into 8-column panels (in parallel; kept for reuse while
 * B's buffer lives, when small: see pack-cache.ts), then cache tiles
 * of C computed by the register-blocked wasm micro-kernel, split across threads. Batch
 * dimensions broadcast through a per-batch offset table. Other dtypes use the reference.
 */
import { sizeOf, stridesOf, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { NR } from "../wasm/matmul-wat.js";
import type { CpuContext } from "./context.js";
import { stridedCopy } from "./movement.js";

/** Matmul tiling: KC deep, MC rows per tile. */
export const KC = 256;
export const MC = 64;

type T = KernelTensor<CpuBuffer>;
type K = Kernel<{ transposeA: boolean; transposeB: boolean }, CpuBuffer>;

/** Flat batch index of `shape` (a batch shape, right-aligned in `outBatch`) for output batch `bi`. */
function batchIndex(shape: readonly number[], outBatch: readonly number[], bi: number): number {
  const outStrides = stridesOf(outBatch);
  const st = stridesOf(shape);
  const off = outBatch.length - shape.length;
  let idx = 0;
  for (let d = 0; d < outBatch.length; d++) {
    const j = d - off;
    if (j < 0 || shape[j] === 1) continue;
    idx += (Math.floor(bi / outStrides[d]!) % outBatch[d]!) * st[j]!;
  }
  return idx;
}

/** Where a matmul's tiles write C: its base, its row stride in bytes, and whether it is a padded scratch copy of `y`. */
export interface TileTarget {
  readonly base: number;
  readonly ldc: number;
  readonly padded: boolean;
}

/**
 * Runs the tiles of one matmul: `mm` is `mm_f32`'s arguments without the chunk (its table
 * lives in the parameter area until the runner returns). A runner other than the plain one
 * also writes `y` from a padded C (the plain one leaves that copy to the caller).
 */
export type TileRunner = (mm: readonly number[], chunks: number, parallel: boolean, c: TileTarget) => void;

/** The matmul kernel (float32 in wasm; `fallback` for other dtypes). */
export function matmulKernel(ctx: CpuContext, fallback: K): K {
  return (inputs, outputs, attrs) => {
    const [a, b] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const y = outputs[0]!;
    if (y.dtype !== "float32" || a.dtype !== "float32" || b.dtype !== "float32") return fallback(inputs, outputs, attrs);
    matmulF32(ctx, a, b, y, attrs, null);
  };
}

/**
 * float32 matmul of `a` and `b` into `y`; `tiles`, when given, runs the tiles (and owns writing
 * `y` from a padded C). An empty inner dimension fills `y` with zeros and runs no tiles.
 */
export function matmulF32(ctx: CpuContext, a: T, b: T, y: T, attrs: { transposeA: boolean; transposeB: boolean }, tiles: TileRunner | null): void {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const ry = y.shape.length;
  const M = y.shape[ry - 2]!;
  const N = y.shape[ry - 1]!;
  const Kd = attrs.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  if (Kd === 0) {
    ctx.fill(y.data.offset, "float32", y.size, 0); // an empty sum
    return;
  }
  const outBatch = y.shape.slice(0, -2);
  const batches = sizeOf(outBatch);
  const bBatches = sizeOf(b.shape.slice(0, -2));
  const NP = Math.ceil(N / NR);
  const padded = N % NR !== 0;
  const panelBytes = Kd * NR * 4;
  const work = batches * M * N * Kd;
  const parallel = work >= ctx.thresholds.matmul && ctx.threads > 1;
  // B's panels: packed before, while B's buffer lived (a recurrent kernel at every time step), or packed now.
  const packKey = `${attrs.transposeB ? "t" : "n"}${bBatches}x${Kd}x${N}`;
  let packed = ctx.packs.get(b.data, packKey);
  let ownsPack = false;
  if (packed === null) {
    packed = ctx.arena.allocScratch(bBatches * NP * panelBytes);
    const [brs, bcs] = attrs.transposeB ? [1, Kd] : [N, 1];
    // Packing is a copy: split it only when it is large enough to pay for a dispatch.
    const packParallel = parallel && bBatches * Kd * N >= ctx.thresholds.elementwise;
    try {
      ctx.run("pack_b", [b.data.offset, packed.offset, Kd, N, brs, bcs, NP, Kd * N * 4, NP * panelBytes], bBatches * NP, packParallel);
    } catch (e) {
      ctx.arena.free(packed);
      throw e;
    }
    ownsPack = !ctx.packs.put(b.data, packKey, packed);
  }
  const cPad = padded ? ctx.arena.allocScratch(batches * M * NP * NR * 4) : null;
  try {
    const [ars, acs] = attrs.transposeA ? [4, M * 4] : [Kd * 4, 4];
    const ldc = NP * NR * 4;
    const cBase = cPad ? cPad.offset : y.data.offset;
    const aShape = a.shape.slice(0, -2);
    const bShape = b.shape.slice(0, -2);
    const tabVals: number[] = new Array(batches * 3);
    for (let bi = 0; bi < batches; bi++) {
      tabVals[bi * 3] = a.data.offset + batchIndex(aShape, outBatch, bi) * M * Kd * 4;
      tabVals[bi * 3 + 1] = packed.offset + batchIndex(bShape, outBatch, bi) * NP * panelBytes;
      tabVals[bi * 3 + 2] = cBase + bi * M * ldc;
    }
    const tab = ctx.writeInts(tabVals);
    try {
      const tilesM = Math.ceil(M / MC);
      let tilesN = 1;
      const want = parallel ? ctx.threads * 4 : 1;
      if (tilesM * batches < want) tilesN = Math.min(NP, Math.ceil(want / (tilesM * batches)));
      const NCP = Math.ceil(NP / tilesN);
      tilesN = Math.ceil(NP / NCP);
      const mm = [tab.offset, Kd, NP, ars, acs, ldc, M, MC, NCP, tilesM, tilesN, KC];
      if (tiles) tiles(mm, batches * tilesM * tilesN, parallel, { base: cBase, ldc, padded: cPad !== null });
      else ctx.run("mm_f32", mm, batches * tilesM * tilesN, parallel);
    } finally {
      ctx.releaseInts(tab);
    }
    // The padded C's rows, N of every NP * NR floats, into y: one strided copy in wasm.
    if (cPad && !tiles) stridedCopy(ctx, cPad, y.data, 4, [batches * M, N], [NP * NR, 1], 0);
  } finally {
    if (ownsPack) ctx.arena.free(packed);
    if (cPad) ctx.arena.free(cPad);
  }
}
