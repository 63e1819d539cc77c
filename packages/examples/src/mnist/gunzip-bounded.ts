/**
 * Gunzip with a bound: decompression stops as soon as the output passes a limit (the size
 * the data's own header declares, once known, or a fixed maximum), so a small compressed
 * "bomb" costs milliseconds and little memory. Corrupt data fails with the source's name.
 */
import { IdxFormatError } from "./idx-error.js";

/** Options of `gunzipBounded`. */
export interface GunzipBound {
  /** Refuse output larger than this many bytes. */
  readonly maxBytes: number;
  /** The exact output length the data declares, from its first bytes (undefined: not known yet). */
  readonly declaredLength?: (prefix: Uint8Array) => number | undefined;
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Decompress gzip `bytes`; `what` names the source in errors (IdxFormatError). */
export async function gunzipBounded(bytes: Uint8Array, what: string, bound: GunzipBound): Promise<Uint8Array> {
  const { createGunzip } = await import("node:zlib");
  return new Promise<Uint8Array>((resolve, reject) => {
    const gz = createGunzip();
    const chunks: Uint8Array[] = [];
    let total = 0;
    let limit = bound.maxBytes;
    let declared: number | undefined;
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      gz.destroy();
      reject(new IdxFormatError(`${what}: ${message}`));
    };
    gz.on("data", (c: Buffer) => {
      if (settled) return;
      chunks.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
      total += c.length;
      if (declared === undefined && bound.declaredLength) {
        try {
          declared = bound.declaredLength(concat(chunks, total));
        } catch (e) {
          fail((e as Error).message);
          return;
        }
        if (declared !== undefined) {
          if (declared > bound.maxBytes) return fail(`its header declares ${declared} bytes, more than the limit of ${bound.maxBytes}`);
          limit = declared;
        }
      }
      if (total > limit)
        fail(declared !== undefined ? `decompresses to more than the ${declared} bytes its header declares` : `decompresses to more than the limit of ${bound.maxBytes} bytes`);
    });
    gz.on("error", (e) => fail(`corrupt gzip data (${e.message})`));
    gz.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(concat(chunks, total));
    });
    gz.end(bytes);
  });
}
