/**
 * What every kernel of the CPU backend shares: the memory and its typed-array views, the
 * allocator, the wasm exports, and `run`, which executes a chunked wasm call on the calling
 * thread (small work) or across the pool (large work). Views are rebuilt whenever the
 * memory's buffer object changed (after a grow); never keep one across an allocation.
 */
import type { WasmMemory } from "../wasm/public-types.js";
import type { DType, KernelTensor, TypedArray } from "@eager/core/backend";
import type { Arena, CpuBuffer } from "../arena.js";
import type { ThreadPool } from "../pool/pool.js";
import { PackCache } from "./pack-cache.js";

/** Work sizes above which a kernel is split across threads (measured: see the README). */
export interface Thresholds {
  /** Output elements of an elementwise op or input elements of a reduction. */
  readonly elementwise: number;
  /** Multiply-adds (M*N*K) of a matmul. */
  readonly matmul: number;
}

type Fn = (...args: number[]) => unknown;

/** Kernel-side state of one CPU backend instance. */
export class CpuContext {
  private buf!: ArrayBufferLike;
  private bufGrows = -1;
  private f32!: Float32Array;
  private f64!: Float64Array;
  private i32!: Int32Array;
  private u8!: Uint8Array;
  private readonly index = new Map<string, number>();
  /** Kernel calls that ran across the pool (for tests and reports). */
  parallelRuns = 0;
  /** Packed matmul B operands kept while their buffers live. */
  readonly packs: PackCache;

  constructor(
    readonly memory: WasmMemory,
    readonly arena: Arena,
    readonly exportNames: readonly string[],
    readonly fns: readonly Fn[],
    readonly pool: ThreadPool | null,
    readonly thresholds: Thresholds,
    /** Byte offset of a small parameter area (stride tables) for the current kernel. */
    readonly params: number,
    readonly paramBytes: number,
  ) {
    exportNames.forEach((n, i) => this.index.set(n, i));
    this.packs = new PackCache(arena);
  }

  /** Threads that run chunks (1 without a pool). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Whether the wasm export exists. */
  has(name: string): boolean {
    return this.index.has(name);
  }

  /** The wasm export `name` (for kernels that call it directly on small work). */
  fn(name: string): Fn {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`cpu backend: no wasm kernel ${name}`);
    return this.fns[i]!;
  }

  /** Kernels compiled after start, by key: their index for the pool and where their module's bytes live. */
  private readonly extraKernels = new Map<string, { index: number; bytes: { offset: number; bytes: number } }>();

  /**
   * Run a kernel compiled after start (export "fused" of `binary`) across the pool: each worker
   * instantiates it from a copy of its bytes kept in the shared memory. False without a pool
   * or when the arguments do not fit the pool's argument block.
   */
  runExtra(key: string, binary: Uint8Array, fn: Fn, args: readonly number[], chunks: number): boolean {
    if (!this.pool || args.length + 2 > 24) return false;
    let k = this.extraKernels.get(key);
    if (!k) {
      const bytes = this.arena.alloc(binary.length);
      new Uint8Array(this.buffer(), bytes.offset, binary.length).set(binary);
      k = { index: this.fns.length + 1 + this.extraKernels.size, bytes };
      this.extraKernels.set(key, k);
    }
    this.parallelRuns++;
    this.pool.run(k.index, [...args, k.bytes.offset, binary.length], chunks, (...a: number[]) => fn(...a.slice(0, args.length), a[a.length - 1]!));
    return true;
  }

  /** Call wasm export `name(...args, chunk)` for every chunk; across the pool when `parallel`. */
  run(name: string, args: readonly number[], chunks: number, parallel: boolean): void {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`cpu backend: no wasm kernel ${name}`);
    if (parallel && this.pool && chunks > 1) {
      this.parallelRuns++;
      this.pool.run(i, args, chunks);
      return;
    }
    const f = this.fns[i]!;
    const a = [...args, 0];
    for (let c = 0; c < chunks; c++) {
      a[args.length] = c;
      f(...a);
    }
  }

  /** Split `n` units into chunks: one chunk below `threshold`, else several per thread. */
  chunking(n: number, threshold: number, align = 16): { per: number; chunks: number; parallel: boolean } {
    if (n < threshold || this.threads === 1) return { per: Math.max(n, 1), chunks: 1, parallel: false };
    let per = Math.ceil(n / (this.threads * 4));
    per = Math.ceil(per / align) * align;
    return { per, chunks: Math.ceil(n / per), parallel: true };
  }

  /** The memory's buffer, re-read only after the arena grew it (the getter is slow on shared memory). */
  buffer(): ArrayBufferLike {
    if (this.bufGrows !== this.arena.grows) this.refresh();
    return this.buf;
  }

  private refresh(): void {
    const b = this.memory.buffer;
    this.bufGrows = this.arena.grows;
    if (b === this.buf) return;
    this.buf = b;
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
    this.i32 = new Int32Array(b);
    this.u8 = new Uint8Array(b);
  }

  /** Whole-memory views (rebuilt after a grow). */
  heap(): { f32: Float32Array; f64: Float64Array; i32: Int32Array; u8: Uint8Array } {
    if (this.bufGrows !== this.arena.grows) this.refresh();
    return { f32: this.f32, f64: this.f64, i32: this.i32, u8: this.u8 };
  }

  /** A typed-array view of a buffer's elements (valid until the next allocation). */
  view(b: CpuBuffer, dtype: DType, size: number): TypedArray {
    const m = this.buffer();
    switch (dtype) {
      case "float32":
        return new Float32Array(m, b.offset, size);
      case "float64":
        return new Float64Array(m, b.offset, size);
      case "int32":
        return new Int32Array(m, b.offset, size);
      default:
        return new Uint8Array(m, b.offset, size);
    }
  }

  /** A kernel tensor as the reference kernels see it: a view instead of the handle. */
  refTensor(t: KernelTensor<CpuBuffer>): KernelTensor<TypedArray> {
    return { data: this.view(t.data, t.dtype, t.size), shape: t.shape, dtype: t.dtype, size: t.size };
  }

  /** Call a wasm export once on this thread. */
  call(name: string, ...args: number[]): void {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`cpu backend: no wasm kernel ${name}`);
    this.fns[i]!(...args);
  }

  /** Zero a buffer (wasm memory.fill: typed-array fill on shared memory is far slower). */
  zero(b: CpuBuffer): void {
    if (b.bytes > 0) this.call("mem_zero", b.offset, b.bytes);
  }

  /** Copy `bytes` bytes between offsets (memmove, wasm memory.copy). */
  copy(dst: number, src: number, bytes: number): void {
    if (bytes > 0 && dst !== src) this.call("mem_copy", dst, src, bytes);
  }

  /** Fill `size` elements of `dtype` at `offset` with `value` (already cast to the dtype). */
  fill(offset: number, dtype: DType, size: number, value: number): void {
    if (size === 0) return;
    if (dtype === "bool") this.call("fill_u8", offset, size, value);
    else if (dtype === "float64") this.call("fill_f64", offset, size, value);
    else {
      const bits = dtype === "int32" ? value | 0 : new Int32Array(new Float32Array([value]).buffer)[0]!;
      this.call("fill_i32", offset, size, bits);
    }
  }

  /**
   * A buffer's elements for a read: a view of the memory, as the reference backend returns
   * its live array. Core copies it at once (`data()`, `dataSync()`), so the values are never
   * copied twice; the view is only valid until the next op.
   */
  readView(b: CpuBuffer, dtype: DType, size: number): TypedArray {
    return this.view(b, dtype, size);
  }

  /** Write int32 values to the parameter area (or to scratch when too many); free with `releaseInts`. */
  writeInts(values: readonly number[]): IntTable {
    const bytes = values.length * 4;
    const scratch = bytes > this.paramBytes ? this.arena.allocScratch(bytes) : null;
    const offset = scratch ? scratch.offset : this.params;
    const i32 = this.heap().i32;
    for (let i = 0; i < values.length; i++) i32[(offset >> 2) + i] = values[i]! | 0;
    return { offset, scratch };
  }

  /** Release what `writeInts` took. */
  releaseInts(t: IntTable): void {
    if (t.scratch) this.arena.free(t.scratch);
  }
}

/** Int32 values written for a kernel: their offset, and the scratch buffer holding them if any. */
export interface IntTable {
  readonly offset: number;
  readonly scratch: CpuBuffer | null;
}
