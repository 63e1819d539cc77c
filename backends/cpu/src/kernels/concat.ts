/**
 * concat: each input is a run of contiguous blocks (one per index of the dimensions before the
 * axis). One wasm call (`concat_rows`) writes the output's rows from a table of the inputs'
 * [offset, block bytes]; a large output is split into equal byte ranges across threads (a
 * range may start inside a block, so axis 0 splits too). Works for every dtype (bytes are bytes).
 */
import { bytesPerElement, type Attrs, type Kernel } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

/** The concat kernel over the backend's memory. */
export function concatKernel(ctx: CpuContext): Kernel<Attrs<"concat">, CpuBuffer> {
  const rows = ctx.fn("concat_rows");
  return (inputs, [y], { axis }) => {
    let outer = 1;
    for (let d = 0; d < axis; d++) outer *= y!.shape[d]!;
    if (outer === 0 || y!.size === 0) return;
    const esize = bytesPerElement(y!.dtype);
    const rowBytes = (y!.size / outer) * esize;
    const table: number[] = [];
    for (const x of inputs) {
      const block = (x.size / outer) * esize;
      if (block > 0) table.push(x.data.offset, block);
    }
    const tab = ctx.writeInts(table);
    try {
      const total = outer * rowBytes;
      // Equal ranges of whole cache lines, several per thread.
      const { per, chunks, parallel } = ctx.chunking(total, ctx.thresholds.elementwise * esize, 64);
      if (!parallel) rows(y!.data.offset, tab.offset, table.length >> 1, rowBytes, total, total, 0);
      else ctx.run("concat_rows", [y!.data.offset, tab.offset, table.length >> 1, rowBytes, total, per], chunks, true);
    } finally {
      ctx.releaseInts(tab);
    }
  };
}
