/**
 * The IDX reader on hostile input: gzip bombs stop at the declared length (fast, little
 * memory), corrupt gzip names the file, and fuzzed files (mutated, truncated, extended) give
 * the right array or an IdxFormatError, in bounded time.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdx, IdxFormatError, parseIdx, readIdxFile, type IdxArray } from "../src/mnist/idx.js";

const MiB = 1 << 20;
const sample: IdxArray = { dtype: "uint8", shape: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => (i * 37) % 256) };

async function withFile<R>(bytes: Uint8Array, f: (path: string) => Promise<R>): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), "eager-idx-"));
  const path = join(dir, "data-idx.gz");
  try {
    await writeFile(path, bytes);
    return await f(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Gzip members concatenated: a small header member, then `mib` members of 1 MiB of zeros each. */
function bomb(header: Uint8Array, mib: number): Uint8Array {
  const zeros = gzipSync(new Uint8Array(MiB), { level: 9 });
  const parts = [gzipSync(header), ...Array.from({ length: mib }, () => zeros)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("gzip bombs", () => {
  it("a 1 MB file that inflates to 1 GiB stops at the declared length", async () => {
    const header = encodeIdx({ dtype: "uint8", shape: [10], data: new Uint8Array(10) });
    const gz = bomb(header, 1024);
    expect(gz.length).toBeLessThan(1.2 * MiB);
    await withFile(gz, async (path) => {
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      const err = await readIdxFile(path).catch((e: unknown) => e);
      const ms = performance.now() - t0;
      const grew = process.memoryUsage().rss - rss0;
      expect(err).toBeInstanceOf(IdxFormatError);
      expect((err as Error).message).toBe(`${path}: decompresses to more than the 18 bytes its header declares`);
      if (process.env["EAGER_VERBOSE"]) console.log(`gzip bomb (${gz.length} bytes, 1 GiB inflated): rejected in ${ms.toFixed(1)} ms, RSS grew ${(grew / MiB).toFixed(1)} MiB`);
      expect(ms).toBeLessThan(1000);
      expect(grew).toBeLessThan(100 * MiB);
    });
  });
  it("a header that declares more than the limit fails before inflating the data", async () => {
    const header = new Uint8Array([0, 0, 0x08, 3, 0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60]);
    await withFile(bomb(header, 64), async (path) => {
      const t0 = performance.now();
      await expect(readIdxFile(path)).rejects.toThrow(/its header declares 216000000000016 bytes, more than the limit of 536870912/);
      expect(performance.now() - t0).toBeLessThan(500);
    });
  });
  it("a bomb with no valid header is bounded by maxBytes", async () => {
    await withFile(bomb(new Uint8Array([0, 0]), 64), async (path) => {
      await expect(readIdxFile(path, { maxBytes: 8 * MiB })).rejects.toThrow(IdxFormatError);
    });
  });
});

describe("corrupt gzip", () => {
  it("names the file", async () => {
    const gz = gzipSync(encodeIdx(sample));
    const bad = gz.slice();
    bad[bad.length - 6]! ^= 0xff; // CRC
    await withFile(bad, async (path) => {
      const err = await readIdxFile(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdxFormatError);
      expect((err as Error).message.startsWith(`${path}: corrupt gzip data`)).toBe(true);
    });
    await withFile(gz.subarray(0, gz.length - 9), async (path) => {
      await expect(readIdxFile(path)).rejects.toThrow(`${path}: corrupt gzip data (unexpected end of file)`);
    });
  });
});

const same = (a: IdxArray, b: IdxArray) => a.dtype === b.dtype && JSON.stringify(a.shape) === JSON.stringify(b.shape) && a.data.every((v, i) => Object.is(v, b.data[i]));

/** A mutation: flip bytes, truncate, or append. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 1 }), xor: fc.constant(0) }),
  fc.record({ kind: fc.constant("append" as const), at: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }), xor: fc.constant(0) }),
);
function mutate(bytes: Uint8Array, m: { kind: "flip" | "cut" | "append"; at: number[]; xor: number }): Uint8Array {
  if (m.kind === "cut") return bytes.slice(0, m.at[0]! % bytes.length);
  if (m.kind === "append") return new Uint8Array([...bytes, ...m.at]);
  const out = bytes.slice();
  for (const a of m.at) out[a % out.length]! ^= m.xor;
  return out;
}

describe("fuzzed IDX files", () => {
  it("raw bytes: the right array or an IdxFormatError", () => {
    const good = encodeIdx(sample);
    fc.assert(
      fc.property(mutation, (m) => {
        const bytes = mutate(good, m);
        const t0 = performance.now();
        try {
          const a = parseIdx(bytes, "fuzz");
          // Accepted: it must be exactly what the bytes say (round trip).
          expect(encodeIdx(a)).toEqual(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(IdxFormatError);
          expect((e as Error).message.startsWith("fuzz: ")).toBe(true);
        }
        expect(performance.now() - t0).toBeLessThan(200);
      }),
      { numRuns: 300 },
    );
  });
  it("gzip files: the original array or an IdxFormatError naming the file", async () => {
    const gz = gzipSync(encodeIdx(sample));
    const dir = await mkdtemp(join(tmpdir(), "eager-idx-"));
    const path = join(dir, "fuzz-idx.gz");
    try {
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          await writeFile(path, mutate(gz, m));
          const t0 = performance.now();
          try {
            const a = await readIdxFile(path);
            // Gzip's CRC makes a changed payload fail, so what is accepted is the original or a
            // plain (non-gzip) file the mutation produced, decoded exactly.
            if (!same(a, sample)) expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
          } catch (e) {
            expect(e).toBeInstanceOf(IdxFormatError);
            expect((e as Error).message.startsWith(`${path}: `)).toBe(true);
          }
          expect(performance.now() - t0).toBeLessThan(500);
        }),
        { numRuns: 200 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
