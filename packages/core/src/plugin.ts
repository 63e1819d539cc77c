/**
 * The backend plugin interface: everything a backend implements. Small on purpose: buffers,
 * a kernel table keyed by op name, flush and dispose. Core allocates every output and
 * kernels only fill them, so memory accounting and errors live in core.
 */
import type { Expr } from "./ir/expr.js";
import type { DType, TypedArray } from "./dtype.js";
import type { KernelTensor, ResolvedOp } from "./ops/def.js";
import type { Attrs, OpName, OptionalOpName, RequiredOpName } from "./ops/table.js";

/**
 * A kernel: reads `inputs`, writes `outputs` (already allocated by core). `op` is the whole
 * call as dispatch resolved it (same inputs, outputs and attrs, plus the device and the
 * op's plan, e.g. a convolution's window geometry), so a kernel never re-derives it. Dispatch
 * always passes it; a backend calling its own kernels on views it made up (a matmul inside a
 * convolution) leaves it out, so kernels read the plan with `geometryOf(op, compute)`.
 */
export type Kernel<A, B = unknown> = (inputs: readonly KernelTensor<B>[], outputs: readonly KernelTensor<B>[], attrs: A, op?: ResolvedOp<A, B>) => void;

/**
 * A kernel for every required op, optionally kernels for optional ops: what first-party
 * backends must provide (a compile error if a required kernel is missing).
 */
export type KernelTable<B = unknown> = { [K in RequiredOpName]: Kernel<Attrs<K>, B> } & { [K in OptionalOpName]?: Kernel<Attrs<K>, B> };
/** A kernel for every op, required and optional (a backend with a fast kernel for each). */
export type CompleteKernelTable<B = unknown> = { [K in OpName]: Kernel<Attrs<K>, B> };

/** What a backend can do; placement reads it to decide where ops run and what falls back. */
export interface BackendCapabilities {
  /** "cpu" and "gpu" backends answer to the "cpu" and "gpu" device aliases. */
  readonly kind: "cpu" | "gpu" | "other";
  /** Dtypes the backend stores and computes. */
  readonly dtypes: readonly DType[];
  /** Whether `readSync` works here (so `dataSync()`, `item()` and printing do). */
  readonly syncRead: boolean;
  /** Largest tensor, in elements, the backend accepts. */
  readonly maxElements?: number;
  /**
   * For a partial backend: the ops it has kernels for (it may lack required ones, which then
   * fall back; it must read synchronously). Absent: the backend covers every required op.
   * The conformance suite fails a declared op whose kernel is missing.
   */
  readonly ops?: readonly OpName[];
  /**
   * How this backend's kernels run, for profiles: "WebAssembly", "JS reference", "WGSL",
   * "GLSL", ... A kernel that runs differently says so with `withKernelPath`.
   */
  readonly kernelPath?: string;
  /**
   * Whether the fused kernels (`fusedElementwise`, `fusedEpilogue`'s extras) take inputs that are
   * strided views of a buffer (`KernelTensor.strides` and `offset`): a compiled program then reads
   * slices, reshapes and broadcasts in place instead of copying them first. A backend may still
   * decline a view it cannot load (return false). Absent: inputs are always contiguous.
   */
  readonly fusedViews?: boolean;
  /** Facts for reports, e.g. `{ mode: "webgl2" }` or `{ threads: 2 }`. */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

/** When one op's work finished on the device, as `OpTimer.opDone` reports it. */
export interface OpCompletion {
  /** `performance.now()` when the device reported the work done. */
  readonly doneMs: number;
  /**
   * `performance.now()` when the work was handed to the device (WebGPU: the queue submit).
   * Absent where the device may start on it while the op's call runs (WebGL draws).
   */
  readonly submittedMs?: number;
  /** Milliseconds the device spent on the work by its own clock (GPU timestamp queries), where it measures that. */
  readonly deviceMs?: number;
}

/** Per-op timing on an asynchronous device, open while a profile runs (`Backend.openProfile`). */
export interface OpTimer {
  /** Submit the work queued since the last call (one op's) and resolve when the device has finished it. */
  opDone(): Promise<OpCompletion>;
  /** Stop timing op by op (batching resumes). */
  close(): void;
}

/** A backend. `B` is its buffer handle type (a TypedArray, a GPUBuffer, ...). */
export interface Backend<B = unknown> {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Kernels by op name. First-party backends type this as `KernelTable<B>`. */
  readonly kernels: Partial<KernelTable<B>>;
  /** Per-op dtype limits narrower than `capabilities.dtypes` (the rest fall back). */
  readonly kernelDTypes?: Partial<Record<OpName, readonly DType[]>>;
  /** Backend to try next when this one lacks a kernel or dtype (default: the best CPU backend). */
  readonly fallback?: string;
  init?(): Promise<void>;
  /**
   * A buffer for `size` elements of `dtype`. Its contents may be anything: kernels write every
   * element of their outputs. (Reference kernels, `opTable[op].ref`, assume zero-filled
   * outputs; a backend that runs them on buffers it did not zero must zero those first.)
   */
  alloc(dtype: DType, size: number): B;
  /** Copy host values into a buffer (`data.length` equals the buffer's size). */
  write(buffer: B, data: TypedArray): void;
  /** Read a buffer back, after all queued work that writes it. */
  read(buffer: B, dtype: DType, size: number): Promise<TypedArray>;
  readSync?(buffer: B, dtype: DType, size: number): TypedArray;
  free(buffer: B): void;
  /** Submit queued work. */
  flush?(): void;
  /** Wait until all queued work has run (asynchronous devices; profiles use it to time completion). */
  sync?(): Promise<void>;
  /**
   * Optional, for profiles on devices whose kernels return before the work is done (WebGPU,
   * WebGL in a browser): start timing op by op. Until `close()`, the profiler calls `opDone()`
   * after each op; the backend hands that op's work to the device on its own (batching is off)
   * and resolves when the device has finished it. Return null where kernels complete before
   * they return (then host times are completion times). Never called outside a profile.
   */
  openProfile?(): OpTimer | null;
  /** Bytes the backend holds in pools for reuse (reported apart from live bytes). */
  pooledBytes?(): number;
  /**
   * Optional: run one fused elementwise kernel. `expr` is a scalar IR expression whose input k
   * reads `inputs[k]` broadcast (NumPy rules) to `output`'s shape; numeric attrs are already
   * constants. Compiled programs call it for chains of elementwise ops; a backend without it
   * runs those ops one by one. Return false to decline (the ops then run unfused). With
   * `capabilities.fusedViews`, an input may be a strided view (`KernelTensor.strides`, `offset`).
   */
  fusedElementwise?(expr: Expr, inputs: readonly KernelTensor<B>[], output: KernelTensor<B>): boolean;
  /**
   * Optional: run `head` (one of `epilogueHeads`: matmul, conv2d or a reduction) and then `epilogue`
   * on each element of its output, as one kernel. `head.outputs[0]` is `output` (the epilogue keeps
   * the head's output dtype and shape). In `epilogue`, input 0 is the head's value at the element
   * and input k >= 1 reads `extras[k - 1]` broadcast (NumPy rules) to the output's shape; numeric
   * attrs are already constants. Return false to decline: core then runs the head and the epilogue
   * apart.
   */
  fusedEpilogue?(head: ResolvedOp<unknown, B>, epilogue: Expr, extras: readonly KernelTensor<B>[], output: KernelTensor<B>): boolean;
  dispose?(): void;
}

/** Options for `registerBackend`. */
export interface RegisterOptions {
  /** Higher wins the default device and the "cpu"/"gpu" aliases. The reference backend is 0. */
  readonly priority?: number;
  /** The backend's kind, so "cpu"/"gpu" aliases resolve before an async backend is initialized. */
  readonly kind?: "cpu" | "gpu" | "other";
  /**
   * Whether it may become the default device by priority (default true). GPU backends pass
   * false: they answer to "gpu" (highest priority first) but run only ops placed on them.
   */
  readonly defaultDevice?: boolean;
}

/** Creates a backend; may be async (then `await ready()` before use). */
export type BackendFactory = () => Backend<any> | Promise<Backend<any>>;

const KERNEL_PATH = Symbol.for("eager.kernelPath");

/**
 * Tag `kernel` with how it runs when that differs from its backend's `capabilities.kernelPath`
 * (a WebAssembly backend's JavaScript reference kernel, say). Returns the kernel.
 * @example kernels.gather = withKernelPath(jsGather, "JS reference");
 */
export function withKernelPath<F extends object>(kernel: F, path: string): F {
  Object.defineProperty(kernel, KERNEL_PATH, { value: path });
  return kernel;
}

/** How `backend` runs `op`: the kernel's own tag, else the backend's `kernelPath`, else "unknown". */
export function kernelPathOf(backend: Backend<any>, op: string): string {
  const k = (backend.kernels as Record<string, unknown>)[op] as { [KERNEL_PATH]?: string } | undefined;
  return k?.[KERNEL_PATH] ?? backend.capabilities.kernelPath ?? "unknown";
}
