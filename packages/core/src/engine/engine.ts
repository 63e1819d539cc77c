/**
 * The engine: every piece of mutable runtime state, in one object, read top to bottom.
 * The modules beside this one (registry, placement, memory, context, dispatch, tape, trace)
 * hold the behaviour and keep no state of their own; `resetEngine()` gives tests a clean slate.
 * This file imports nothing at run time, so every engine module can depend on it.
 */
import type { Backend, BackendFactory } from "../plugin.js";
import type { OpDef, TensorSpec } from "../ops/def.js";
import type { Tensor, Variable } from "../tensor.js";
import type { Frame } from "./context.js";
import type { AsyncStorage } from "../platform/types.js";

/**
 * Debugging tools watching ops (numerics checks, parity, profiling, leak tracking). Dispatch
 * hands each op on real tensors to `observe`, which must call `run` once and return its outputs.
 */
export interface OpObserver {
  observe(def: OpDef<any>, inputs: readonly Tensor[], attrs: unknown, run: () => Tensor[]): Tensor[];
}

/** A backend as registered: its factory, and what became of initializing it. */
export interface Registration {
  readonly name: string;
  readonly factory: BackendFactory;
  readonly priority: number;
  readonly kind: "cpu" | "gpu" | "other" | undefined;
  readonly defaultCandidate: boolean;
  instance: Backend<any> | null;
  pending: Promise<Backend<any>> | null;
  /** Why initialization failed: the backend is unavailable until registered again. */
  error: unknown;
}

/** What happens when a backend lacks a kernel or dtype: move on quietly (but reported), warn once, or throw. */
export type FallbackPolicy = "auto" | "warn" | "error";

/** One fallback: an op meant for `from` ran on `to`, and why. */
export interface FallbackRecord {
  readonly op: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  count: number;
}

/** Live counts on one device. */
export interface DeviceStats {
  tensors: number;
  bytes: number;
  buffers: number;
}

/** Records an op applied to symbolic tensors (installed by the tracer when it loads). */
export type SymbolicRecorder = (def: OpDef<any>, inputs: readonly Tensor[], attrs: unknown, specs: readonly TensorSpec[]) => Tensor[];

/**
 * What a compile trace needs from the rest of core while it records (installed by the compiler
 * for the duration of one trace): ops on symbolic tensors and variables, a tape's snapshot of a
 * variable, and assignments to variables all go to the program being built.
 */
export interface CompileHooks {
  record(def: OpDef<any>, inputs: readonly Tensor[], attrs: unknown, specs: readonly TensorSpec[]): Tensor[];
  /** A symbolic stand-in for the variable's value at this point of the trace. */
  snapshot(v: Tensor): Tensor;
  /** `v` takes `value` when the program runs. */
  assign(v: Tensor, value: Tensor): void;
  /** An op whose inputs all hold values, folded into constants; null to run it as eagerly. */
  fold?(op: string, inputs: readonly Tensor[], attrs: unknown): Tensor[] | null;
}

/** The placement log: where ops ran, what fell back, what moved. */
export class PlacementLog {
  policy: FallbackPolicy = "warn";
  /** Ops run per device, then per op name (a counter object each, so counting is one lookup). */
  ops = new Map<string, Map<string, { n: number }>>();
  /** The device `noteOp` counted last, and its map in `ops`. */
  lastDevice: string | null = null;
  lastDeviceOps: Map<string, { n: number }> | undefined = undefined;
  fallbacks = new Map<string, FallbackRecord>();
  /** Optional ops run as their decomposition, per device then op name. */
  decomposed = new Map<string, Map<string, number>>();
  /** Bytes copied between devices, keyed "from->to". */
  moves = new Map<string, { bytes: number; count: number }>();
  /** A ring of the last ops run (op name and device, side by side). */
  recentOp: string[] = [];
  recentDevice: string[] = [];
  recentHead = 0;
  /** Fallbacks already warned about (warn once each). */
  readonly warned = new Set<string>();
}

/** The frame outside every scope. */
export const ROOT_FRAME: Frame = Object.freeze({ device: null, tidy: null, tapes: Object.freeze([]), pauseRecording: false });

/** All runtime state. There is one, `engine`; nothing else in core holds mutable state. */
export class Engine {
  // --- Devices -------------------------------------------------------------------------
  /** Registered backends by name. */
  readonly backends = new Map<string, Registration>();
  /** The device set by `setDefaultDevice`, if any. */
  explicitDefault: string | null = null;
  /** Backend names by priority, rebuilt when the registry changes (dispatch reads it per op). */
  sortedNames: string[] | null = null;

  // --- Placement -----------------------------------------------------------------------
  placement = new PlacementLog();

  // --- Memory --------------------------------------------------------------------------
  /** Live tensors, bytes and buffers per device. */
  readonly deviceStats = new Map<string, DeviceStats>();
  /** Escaped tensors waiting to be registered with the finalizer (batched per microtask). */
  nursery: Tensor[] = [];
  /** Buffers alive now, on all devices together (Storage counts them; views share their base's). */
  liveBuffers = 0;
  /** Most buffers alive at once before allocation fails (`setMemoryLimits`); Infinity for no limit. */
  maxLiveBuffers = 200_000;

  // --- Scopes (device, tidy, tapes) -----------------------------------------------------
  /**
   * The platform's async-context storage (Node's AsyncLocalStorage), so scopes survive `await`;
   * null elsewhere (then `frameStack`). Set by the scope module (context.ts) when it loads.
   */
  asyncLocal: AsyncStorage<Frame> | null = null;
  frameStack: Frame[] = [ROOT_FRAME];
  /** Non-zero while a tape replays gradients (retained, user-disposed tensors may be read). */
  backwardDepth = 0;

  // --- Tracing -------------------------------------------------------------------------
  /** Set by the tracer module; ops on symbolic tensors go here. */
  symbolicRecorder: SymbolicRecorder | null = null;
  /** The trace (graph builder) each symbolic tensor belongs to. */
  readonly traces = new WeakMap<object, unknown>();
  /** The compile trace being recorded, if any: every symbolic op and every variable read goes to it. */
  compiling: CompileHooks | null = null;
  /** Compiled functions run their source eagerly, op by op (export tracing, parity checks). */
  compiledAsSource = false;

  // --- Decompositions ------------------------------------------------------------------
  /** The optional op that runs as its decomposition even where a kernel exists (`decomposeAlways`). */
  forcedDecomposition: string | null = null;

  // --- Debugging tools (null when none is on: dispatch then pays one test per op) -------
  /** Watches every op run on real tensors. */
  opObserver: OpObserver | null = null;
  /** Called with every new tensor (leak tracking). */
  tensorObserver: ((t: Tensor) => void) | null = null;
  /** Awaited before every asynchronous read (batched numerics checks report there). */
  readBarrier: (() => Promise<void>) | null = null;

  // --- Error naming --------------------------------------------------------------------
  /** The public function whose body runs now (outermost `asCalled`), or null. */
  publicCaller: string | null = null;

  // --- Files ---------------------------------------------------------------------------
  /** Temporary files this process is writing now (atomic writes), never swept as stale. */
  readonly tempFilesInFlight = new Set<string>();
  /** Makes temporary file names unique within this process. */
  tempFileCounter = 0;

  // --- Data pipelines ------------------------------------------------------------------
  /** Parallel-map worker pools open now (`Dataset.map(fn, { parallel })`). */
  openMapPools = 0;

  // --- Random state --------------------------------------------------------------------
  randomSeed = 0x2545f491;
  randomCounter = 0;

  // --- Counters ------------------------------------------------------------------------
  nextTensorId = 1;
  nextTapeId = 1;
  variableCount = 0;
  /** Random draws recorded by traces so far (each draw node's label, so no two are merged). */
  traceDraws = 0;
  /** Every variable made by `variable()`, weakly held (what `disposeVariables` frees). */
  readonly variables = new Set<WeakRef<Variable>>();
  /** The slow-backend warning: whether it is on, and whether it fired (it fires once). */
  slowBackendWarning = { enabled: true, fired: false };

  /**
   * Forget what ran: the placement log (and the fallback policy), the random state, the default
   * device, the name counters and failed initializations (so they are retried). Registered
   * backends, live tensors and their memory counts stay.
   */
  reset(): void {
    this.placement = new PlacementLog();
    this.explicitDefault = null;
    this.sortedNames = null;
    this.randomSeed = 0x2545f491;
    this.randomCounter = 0;
    this.variableCount = 0;
    this.slowBackendWarning.fired = false;
    this.backwardDepth = 0;
    this.frameStack = [ROOT_FRAME];
    for (const r of this.backends.values()) if (!r.instance && r.error) (r.error = null), (r.pending = null);
  }
}

/** The engine. */
export const engine = new Engine();

/** Reset the engine's log, random state and default device (see `Engine.reset`). For tests. */
export function resetEngine(): void {
  engine.reset();
}
