/**
 * `createCpuBackend`: one shared WebAssembly memory holding every buffer, the wasm SIMD
 * kernels instantiated on it, and a pool of workers that share it. Buffers are handles
 * into the memory; reads are views of it (core copies them), synchronous everywhere.
 */
import { bytesPerElement, type Backend, type DType, type KernelTensor, type ResolvedOp, type TypedArray } from "@eager/core/backend";
import { Arena, type CpuBuffer } from "./arena.js";
import { CpuContext, type Thresholds } from "./kernels/context.js";
import { cpuKernels } from "./kernels/table.js";
import { CONTROL_BYTES } from "./pool/protocol.mjs";
import { ThreadPool } from "./pool/pool.js";
import type { WorkerTransport } from "./pool/transport.js";
import { platform } from "#platform";
import { threadingSupport, warnSingleThreaded } from "./threading.js";
import { buildKernels, detectRelaxedSimd, MAX_PAGES } from "./wasm/module.js";
import { FusedKernels } from "./kernels/fused.js";
import { EpilogueKernels } from "./kernels/epilogue.js";

/** Options for a CPU backend instance. */
export interface CpuBackendOptions {
  /** Backend name (default "cpu"). */
  readonly name?: string;
  /** Threads that run kernels, the calling thread included (default: the hardware threads). */
  readonly threads?: number;
  /** Split work across threads above these sizes (defaults measured, see the README). */
  readonly thresholds?: Partial<Thresholds>;
  /** Use relaxed-SIMD FMA when the engine has it (default true). */
  readonly relaxedSimd?: boolean;
  /** A worker chunk that makes no progress for this long fails the op (default 10000 ms). */
  readonly stallTimeoutMs?: number;
  /** How workers are started (default: worker_threads in Node, module Workers in browsers). */
  readonly transport?: WorkerTransport;
  /**
   * Wait for every pool worker before the backend is ready (default false: ready once the
   * kernels are compiled; workers start in the background and join as they come up, ops
   * meanwhile run on the threads already there; `pool.started` settles when all have).
   */
  readonly awaitWorkers?: boolean;
  /** Initial memory in bytes (default 16 MiB; it grows on demand up to 2 GiB). */
  readonly initialBytes?: number;
  /**
   * Fill every buffer `alloc` hands out with 0xff bytes (NaN as floats, -1 as int32), to
   * catch a kernel that leaves output elements unwritten (default false: buffers are not cleared).
   */
  readonly poisonAllocations?: boolean;
}

/**
 * Default thresholds, from `scripts/threshold.ts` on a 2-core machine: split when one thread
 * would take at least about four times the 7-9 us dispatch (see the README).
 */
export const DEFAULT_THRESHOLDS: Thresholds = { elementwise: 262144, matmul: 128 * 128 * 128 };

/** The CPU backend: a core `Backend` plus facts and hooks for tests and reports. */
export interface CpuBackend extends Backend<CpuBuffer> {
  /** Threads that run kernels (1 when single-threaded). */
  readonly threads: number;
  /** Why the backend is single-threaded, or null. */
  readonly singleThreadReason: string | null;
  /** The head + elementwise-tail kernels (`fusedEpilogue`), with their counters. */
  readonly epilogues: EpilogueKernels;
  /** Kernel state: memory, allocator, pool. */
  readonly context: CpuContext;
  readonly pool: ThreadPool | null;
}

const RESERVED_PARAM_BYTES = 4096;

/**
 * Create and initialize a CPU backend (not registered; see `registerCpuBackend`).
 * @example const b = await createCpuBackend({ threads: 2, name: "cpu2" })
 */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<CpuBackend> {
  const name = options.name ?? "cpu";
  const wanted = Math.max(1, Math.floor(options.threads ?? platform.hardwareThreads()));
  const support = threadingSupport();
  let reason: string | null = null;
  if (!support.ok) {
    reason = support.reason;
    if (wanted > 1) warnSingleThreaded(reason);
  }
  const shared = support.ok;
  const relaxed = options.relaxedSimd !== false && detectRelaxedSimd();
  const kernels = await buildKernels(shared, relaxed);
  const initialPages = Math.max(2, Math.ceil((options.initialBytes ?? 16 << 20) / 65536));
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared });
  const control = 16;
  const params = (control + CONTROL_BYTES + 15) & ~15;
  const instance = await WebAssembly.instantiate(kernels.module, { env: { memory } });
  const fns = kernels.exportNames.map((n) => instance.exports[n] as (...a: number[]) => unknown);
  const arena = new Arena(memory, params + RESERVED_PARAM_BYTES, MAX_PAGES * 65536);
  const fillBytes = instance.exports["fill_u8"] as (o: number, n: number, v: number) => void;
  const workers = shared ? wanted - 1 : 0;
  const pool =
    workers > 0
      ? ThreadPool.launch({ memory, module: kernels.module, exportNames: kernels.exportNames, control }, fns, {
          workers,
          transport: options.transport ?? platform.defaultTransport(),
          stallTimeoutMs: options.stallTimeoutMs ?? 10000,
        })
      : null;
  if (pool && options.awaitWorkers) await pool.started;
  else pool?.started.catch((e: Error) => console.warn(`@eager/backend-cpu: ${e.message}; ops run on the threads that started`));
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const ctx = new CpuContext(memory, arena, kernels.exportNames, fns, pool, thresholds, params, RESERVED_PARAM_BYTES);
  const threads = pool?.threads ?? 1;
  const fused = new FusedKernels(ctx);
  const table = cpuKernels(ctx);
  const epilogues = new EpilogueKernels(ctx, fused, table as unknown as Record<string, never>);
  const dtypes: DType[] = ["float32", "int32", "bool", "float64"];
  return {
    name,
    threads,
    singleThreadReason: reason ?? (threads === 1 ? "one thread was requested" : null),
    context: ctx,
    epilogues,
    pool,
    capabilities: {
      kind: "cpu",
      dtypes,
      syncRead: true,
      maxElements: 2 ** 31 / 8,
      kernelPath: "WebAssembly",
      fusedViews: true,
      info: { threads, simd: relaxed ? "relaxed-simd" : "simd128", sharedMemory: shared },
    },
    kernels: table,
    alloc: options.poisonAllocations
      ? (dtype: DType, size: number) => {
          const b = arena.alloc(size * bytesPerElement(dtype));
          if (b.bytes > 0) fillBytes(b.offset, b.bytes, 0xff);
          return b;
        }
      : (dtype: DType, size: number) => arena.alloc(size * bytesPerElement(dtype)),
    write: (buf: CpuBuffer, data: TypedArray) => {
      ctx.view(buf, dtypeOf(data), data.length).set(data);
    },
    readSync: (buf: CpuBuffer, dtype: DType, size: number) => ctx.readView(buf, dtype, size),
    read: async (buf: CpuBuffer, dtype: DType, size: number) => ctx.readView(buf, dtype, size),
    free: (buf: CpuBuffer) => {
      ctx.packs.forget(buf);
      arena.free(buf);
    },
    pooledBytes: () => arena.pooledBytes() + ctx.packs.bytes(),
    fusedElementwise: (expr, inputs, output) => fused.run(expr, inputs as readonly KernelTensor<CpuBuffer>[], output as KernelTensor<CpuBuffer>),
    fusedEpilogue: (head, expr, extras, output) => epilogues.run(head as ResolvedOp<unknown, CpuBuffer>, expr, extras as readonly KernelTensor<CpuBuffer>[], output as KernelTensor<CpuBuffer>),
    dispose: () => pool?.dispose(),
  };
}

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}
