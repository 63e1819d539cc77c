/**
 * concat: each input is a run of contiguous blocks (one per index of the dimensions before the
 * axis), copied to its offset in the output's rows with one memory move per block. Works for
 * every dtype (bytes are bytes); no arithmetic, no threads (memory bound).
 */
import type { Attrs, Kernel } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

const BYTES: Readonly<Record<string, number>> = { bool: 1, int32: 4, float32: 4, float64: 8 };

/** The concat kernel over the backend's memory. */
export function concatKernel(ctx: CpuContext): Kernel<Attrs<"concat">, CpuBuffer> {
  return (inputs, [y], { axis }) => {
    const esize = BYTES[y!.dtype]!;
    let outer = 1;
    for (let d = 0; d < axis; d++) outer *= y!.shape[d]!;
    if (outer === 0) return;
    const rowBytes = (y!.size / outer) * esize;
    const u8 = ctx.heap().u8;
    let at = y!.data.offset;
    for (const x of inputs) {
      const block = (x.size / outer) * esize;
      if (block > 0) {
        for (let o = 0, src = x.data.offset, dst = at; o < outer; o++, src += block, dst += rowBytes) u8.copyWithin(dst, src, src + block);
      }
      at += block;
    }
  };
}
