/**
 * Packed B operands kept for reuse: an RNN multiplies by the same recurrent kernel at every time
 * step (forward, and transposed backward), so its panels are packed once and then reused while
 * that buffer lives. A buffer's contents never change after the kernel that made it (core hands
 * every kernel fresh outputs), so the buffer object identifies the packed data; freeing the
 * buffer drops its entries. A few small entries only: least recently used ones are freed first.
 */
import type { Arena, CpuBuffer } from "../arena.js";

interface Entry {
  readonly source: CpuBuffer;
  readonly key: string;
  readonly packed: CpuBuffer;
}

/** The packed-B cache of one backend. */
export class PackCache {
  /** Most recently used last. */
  private entries: Entry[] = [];
  /** Lookups that found packed panels, and packs made (for tests and reports). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly arena: Arena,
    /** Entries kept at most. */
    readonly maxEntries = 4,
    /** Largest packed operand kept, in bytes (larger ones are packed per call, where packing is cheap next to the product). */
    readonly maxBytes = 1 << 20,
  ) {}

  /** The packed panels of `source` under `key` (layout and transposition), or null. */
  get(source: CpuBuffer, key: string): CpuBuffer | null {
    const es = this.entries;
    for (let i = es.length - 1; i >= 0; i--) {
      const e = es[i]!;
      if (e.source !== source || e.key !== key) continue;
      if (i !== es.length - 1) {
        es.splice(i, 1);
        es.push(e);
      }
      this.hits++;
      return e.packed;
    }
    this.misses++;
    return null;
  }

  /** Keep `packed` (now owned by the cache) for `source` under `key`; false when it is too large to keep (the caller frees it). */
  put(source: CpuBuffer, key: string, packed: CpuBuffer): boolean {
    // Only whole allocations (a view into another buffer has no capacity of its own, and no free to drop it).
    if (packed.bytes > this.maxBytes || source.freed || source.capacity === 0) return false;
    // Entries of buffers freed without the backend's free (kernel scratch) go first.
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i]!.source.freed) {
        this.arena.free(this.entries[i]!.packed);
        this.entries.splice(i, 1);
      }
    if (this.entries.length >= this.maxEntries) this.arena.free(this.entries.shift()!.packed);
    this.entries.push({ source, key, packed });
    return true;
  }

  /** Drop every entry of `source` (it is being freed). */
  forget(source: CpuBuffer): void {
    const es = this.entries;
    if (es.length === 0) return;
    for (let i = es.length - 1; i >= 0; i--)
      if (es[i]!.source === source) {
        this.arena.free(es[i]!.packed);
        es.splice(i, 1);
      }
  }

  /** Bytes the cache holds. */
  bytes(): number {
    return this.entries.reduce((n, e) => n + e.packed.capacity, 0);
  }

  /** Free every entry. */
  clear(): void {
    for (const e of this.entries) this.arena.free(e.packed);
    this.entries = [];
  }
}
