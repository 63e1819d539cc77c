/**
 * The CPU arena reuses freed memory across size classes: after small buffers filled the
 * whole memory and were freed, a large buffer fits; a failed allocation is not counted as live.
 */
import { describe, expect, it } from "vitest";
import { Arena, CpuOutOfMemoryError } from "../src/arena.js";

const MiB = 1 << 20;
function arena(maxMiB: number): Arena {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: (maxMiB * MiB) / 65536 });
  return new Arena(memory, 64, maxMiB * MiB);
}

describe("cpu arena", () => {
  it("a 4 MB buffer fits after 16 MiB of small buffers were freed", () => {
    const a = arena(16);
    const small = [];
    try {
      for (;;) small.push(a.alloc(1000));
    } catch (e) {
      expect(e).toBeInstanceOf(CpuOutOfMemoryError);
    }
    expect(small.length).toBeGreaterThan(15000);
    for (const b of small) a.free(b);
    expect(a.liveBytes()).toBe(0);
    const big = a.alloc(4 * MiB);
    expect(big.offset % 16).toBe(0);
    expect(a.liveBytes()).toBe(4 * MiB);
    a.free(big);
  });

  it("keeps reusing memory through a mix of sizes that would exhaust it without coalescing", () => {
    const a = arena(8);
    for (let round = 0; round < 10; round++) {
      const size = [1000, 3000, 70_000, 1_000_000, 2_500_000][round % 5]!;
      const bufs = [];
      for (let i = 0; i * size < 5 * MiB; i++) bufs.push(a.alloc(size));
      // no overlap between live buffers
      const sorted = [...bufs].sort((x, y) => x.offset - y.offset);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.offset).toBeGreaterThanOrEqual(sorted[i - 1]!.offset + sorted[i - 1]!.capacity);
      for (const b of bufs) a.free(b);
    }
    expect(a.liveBytes()).toBe(0);
  });

  it("a failed allocation is not counted as live", () => {
    const a = arena(4);
    const b = a.alloc(MiB);
    expect(() => a.alloc(8 * MiB)).toThrow(CpuOutOfMemoryError);
    expect(a.liveBytes()).toBe(b.capacity);
    a.free(b);
    expect(a.liveBytes()).toBe(0);
  });

  it("staggers new large blocks of one size class (no two of 8 share an offset modulo 64 KiB) and lends the gaps to small buffers", () => {
    const a = arena(64);
    const big = Array.from({ length: 8 }, () => a.alloc(2 * MiB));
    const mods = new Set(big.map((b) => b.offset % 65536));
    expect(mods.size).toBe(8);
    for (const b of big) expect(b.offset % 16).toBe(0);
    // No overlap, and the small buffers that follow fill the gaps below the top first.
    const sorted = [...big].sort((x, y) => x.offset - y.offset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.offset).toBeGreaterThanOrEqual(sorted[i - 1]!.offset + sorted[i - 1]!.capacity);
    const small = a.alloc(1000);
    expect(small.offset).toBeLessThan(sorted[sorted.length - 1]!.offset);
    for (const b of [...big, small]) a.free(b);
    expect(a.liveBytes()).toBe(0);
  });
});
