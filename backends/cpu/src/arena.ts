/**
 * The allocator for the one WebAssembly memory that holds every buffer: size classes with
 * free lists, 16-byte alignment, bump allocation from the top (large blocks at staggered
 * offsets), growth on demand. Memory is
 * never returned to the engine (WebAssembly memory cannot shrink); freed blocks are pooled.
 * Blocks are not zeroed: kernels overwrite their outputs.
 */
import type { WasmMemory } from "./wasm/public-types.js";

/** A buffer of the CPU backend: a region of the shared memory. */
export interface CpuBuffer {
  /** Byte offset in the memory (16-byte aligned). */
  readonly offset: number;
  /** Bytes requested. */
  readonly bytes: number;
  /** Bytes reserved (the size class). */
  readonly capacity: number;
  /** Set by `free`; a freed handle must not be used again. */
  freed: boolean;
}

/** Raised when the memory cannot grow to hold a new buffer. */
export class CpuOutOfMemoryError extends RangeError {
  override readonly name = "CpuOutOfMemoryError";
}

import { coalesceFree } from "./coalesce.js";

const PAGE = 65536;
/** New blocks at least this large start at a varying offset (see `alloc`). */
export const COLOR_FROM = 1 << 20;
const COLOR_STEP = 4096 + 64;
const COLORS = 8;
const EMPTY_OFFSET = 0;

/** Round a request up to its size class: multiples of 16 up to 256, then 8 steps per power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return Math.max(16, (bytes + 15) & ~15);
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 8;
  return Math.ceil(bytes / step) * step;
}

/** Size-bucketed allocator over a WebAssembly memory. */
export class Arena {
  private top: number;
  private readonly base: number;
  private readonly pools = new Map<number, number[]>();
  /** Coalesced free spans [offset, bytes], reused first-fit by any size class. */
  private spans: [number, number][] = [];
  private pooled = 0;
  private live = 0;
  /** Bumped whenever the memory grows (its buffer object then changes). */
  grows = 0;
  /** Large blocks placed so far (the next one's color). */
  private colors = 0;

  /** `reserved` bytes at the start of the memory are not handed out (the control block). */
  constructor(
    readonly memory: WasmMemory,
    reserved: number,
    private readonly maxBytes: number,
  ) {
    this.top = this.base = Math.max(16, (reserved + 15) & ~15);
  }

  /**
   * A buffer of `bytes` bytes with undefined contents: kernels write every element of their
   * outputs (the JavaScript reference kernels get their outputs zeroed first, see fallback.ts).
   */
  alloc(bytes: number): CpuBuffer {
    if (bytes === 0) return { offset: EMPTY_OFFSET, bytes: 0, capacity: 0, freed: false };
    const cap = sizeClass(bytes);
    const list = this.pools.get(cap);
    let offset: number | undefined;
    if (list !== undefined && list.length > 0) offset = list.pop()!;
    else offset = this.fromSpans(cap);
    if (offset === undefined && this.top + cap > this.memory.buffer.byteLength && this.pooled > 0) {
      // Growing (or failing): first merge every free block and try again.
      const merged = coalesceFree(this.pools, this.spans, this.top);
      this.spans = merged.spans;
      this.top = Math.max(this.base, merged.top);
      this.pooled = merged.spans.reduce((n, sp) => n + sp[1], 0);
      offset = this.fromSpans(cap);
    }
    if (offset !== undefined) this.pooled -= cap;
    else {
      // A new large block starts 0-7 "colors" (a page and a cache line each) above the top, the
      // gap left free for small buffers: blocks of one size class would otherwise all start at the
      // same offset modulo a large power of two, and streamed together (a, b and c of a*b+c) they
      // collide in the caches and memory banks (measured: some elementwise kernels at half speed).
      const gap = cap >= COLOR_FROM ? (this.colors++ % COLORS) * COLOR_STEP : 0;
      offset = this.top + gap;
      this.ensure(offset + cap); // throws before anything is counted
      if (gap > 0) {
        this.spans.push([this.top, gap]);
        this.pooled += gap;
      }
      this.top = offset + cap;
    }
    this.live += cap;
    return { offset, bytes, capacity: cap, freed: false };
  }

  /** First fit from the coalesced spans; the rest of the span stays free. */
  private fromSpans(cap: number): number | undefined {
    const spans = this.spans;
    for (let i = 0; i < spans.length; i++) {
      const sp = spans[i]!;
      if (sp[1] < cap) continue;
      const offset = sp[0];
      if (sp[1] === cap) spans.splice(i, 1);
      else {
        sp[0] += cap;
        sp[1] -= cap;
      }
      return offset;
    }
    return undefined;
  }

  /** Scratch space for a kernel (same as `alloc`: contents undefined). */
  allocScratch(bytes: number): CpuBuffer {
    return this.alloc(bytes);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes)
      throw new CpuOutOfMemoryError(`cpu backend: out of memory: need ${end} bytes, the limit is ${this.maxBytes} (live ${this.live}, pooled ${this.pooled})`);
    const need = Math.ceil((end - have) / PAGE);
    const grow = Math.min(Math.max(need, Math.ceil(have / PAGE / 4)), Math.floor((this.maxBytes - have) / PAGE));
    this.memory.grow(grow);
    this.grows++;
  }

  /** Return a buffer to its pool. */
  free(b: CpuBuffer): void {
    if (b.freed) throw new Error(`cpu backend: buffer at ${b.offset} freed twice`);
    b.freed = true;
    if (b.capacity === 0) return;
    let list = this.pools.get(b.capacity);
    if (!list) this.pools.set(b.capacity, (list = []));
    list.push(b.offset);
    this.pooled += b.capacity;
    this.live -= b.capacity;
  }

  /** Bytes held in free lists for reuse. */
  pooledBytes(): number {
    return this.pooled;
  }

  /** Bytes in buffers handed out and not freed (size classes, not requests). */
  liveBytes(): number {
    return this.live;
  }
}
