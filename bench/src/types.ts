/**
 * The shapes the benchmark harness is built from: an Engine adapts one library (or one of
 * our backends) to a small op vocabulary; a Workload is a family of cases; results are
 * plain JSON. Engines never see workloads' internals and vice versa.
 */

/** A dense float32 input, row-major, with its shape. */
export interface HostArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Weights and data for one MLP training step (784-128-10, softmax cross-entropy, SGD). */
export interface MlpSpec {
  readonly w1: HostArray; // [784, 128]
  readonly b1: HostArray; // [128]
  readonly w2: HostArray; // [128, 10]
  readonly b2: HostArray; // [10]
  readonly x: HostArray; // [batch, 784]
  readonly labels: HostArray; // one-hot [batch, 10]
  readonly learningRate: number;
}

/** A model that trains one step per call and returns that step's loss (read to the host). */
export interface MlpTrainer {
  step(): Promise<number>;
  /** Live bytes in the library's own accounting, sampled at points inside the last step. */
  peakBytesLastStep(): number | null;
  dispose(): void;
}

/** One library or backend under test. `T` is its tensor type. */
export interface Engine<T = unknown> {
  /** Row label, e.g. "eager-cpu-2t" or "tfjs-wasm". */
  readonly name: string;
  /** Peers are the libraries we compare against; ours are not. */
  readonly peer: boolean;
  /** How each iteration waits for the result, in words (printed with the results). */
  readonly waits: string;
  /** Facts worth printing: SIMD, threads, versions. */
  readonly info: Record<string, string | number | boolean>;
  fromHost(a: HostArray): T;
  /** Reads the full result into host memory; this is how every iteration waits. */
  read(t: T): Promise<Float32Array>;
  dispose(t: T): void;
  matmul(a: T, b: T): T;
  /** a * b + c, elementwise. */
  mulAdd(a: T, b: T, c: T): T;
  exp(a: T): T;
  tanh(a: T): T;
  /** Sum of all elements (a scalar). */
  sum(a: T): T;
  add(a: T, b: T): T;
  /** conv2d, stride 1, "same" padding; null when the op is missing (see conv2dMissing). */
  readonly conv2d: Conv2dAdapter<T> | null;
  /** Why conv2d is null. */
  readonly conv2dMissing?: string;
  mlp(spec: MlpSpec): MlpTrainer;
  /** Makes this engine the active one (libraries with one global backend switch here). */
  activate(): Promise<void>;
  /** Frees everything the engine holds. */
  close(): Promise<void>;
}

/**
 * conv2d in the engine's native layout. Inputs arrive as NHWC x and HWIO filter; an
 * engine whose native layout differs rearranges them once here, before timing, and maps
 * its result back to NHWC for the check.
 */
export interface Conv2dAdapter<T> {
  inputs(x: HostArray, filter: HostArray): [T, T];
  run(x: T, filter: T): T;
  toNhwc(result: Float32Array, outShape: readonly number[]): Float32Array;
}

/** An engine that could not be created, and why. */
export interface EngineUnavailable {
  readonly name: string;
  readonly reason: string;
}

/** A case ready to time on one engine. */
export interface PreparedCase {
  /** One iteration: compute and wait; returns the result for the correctness check. */
  run(): Promise<Float32Array | number>;
  /** Extra numbers to report after timing (e.g. peak memory). */
  extras?(): Record<string, number | null>;
  dispose(): void;
}

/** How a case's time turns into the number people read. */
export interface Metric {
  readonly unit: "GFLOP/s" | "ns/element" | "ms" | "us/op" | "ms/step";
  /** Higher is better for throughput units. */
  readonly higherIsBetter: boolean;
  /** Converts a median iteration time in milliseconds into the unit. */
  fromMs(ms: number): number;
}

/** One size of one workload. */
export interface Case {
  readonly workload: string;
  /** e.g. "matmul 256" */
  readonly id: string;
  readonly metric: Metric;
  /** The expected result, computed in plain JS (the oracle) and cached. */
  expected(): Float32Array | number;
  /** Tolerance of the check: max |got-want| / max(1, max |want|, errorScale). */
  readonly tolerance: number;
  /** A magnitude errors are measured against when the result itself may be near 0. */
  readonly errorScale?: number;
  /** How many first runs make up the checked result (2 for a training step: two losses). */
  readonly checkRuns?: number;
  /** Set when the reference backend would take minutes here. */
  readonly skipReference?: string;
  /** Engines the case runs on (others skip it with `reason`); every engine when absent. */
  readonly onlyEngines?: { readonly names: readonly string[]; readonly reason: string };
  /** "light" cases take more iterations than "heavy" ones. */
  readonly weight: "light" | "heavy";
  /** Sets up inputs on the engine; the returned case's run() is one iteration. */
  prepare(engine: Engine): Promise<PreparedCase>;
}

/** A workload: one name, several sizes. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  cases(): Case[];
}

/** Results for one case on one engine, as written to JSON. */
export interface ResultRow {
  workload: string;
  case: string;
  engine: string;
  peer: boolean;
  status: "ok" | "skipped" | "failed" | "wrong";
  reason?: string;
  unit: Metric["unit"];
  higherIsBetter: boolean;
  /** Median of steady-state iteration times, ms. */
  medianMs?: number;
  /** The median converted to the unit. */
  value?: number;
  /** The first call, including compilation and warm-up, ms. */
  firstRunMs?: number;
  samples?: number;
  /** Relative median absolute deviation of the iteration times. */
  rmad?: number;
  /** The correctness check's error, relative. */
  checkError?: number;
  /** What the result was checked against. */
  checkedAgainst?: "oracle" | "eager-reference";
  extras?: Record<string, number | null>;
}

/** The whole JSON file. */
export interface ResultsFile {
  schema: 1;
  date: string;
  machine: { cpu: string; cores: number; node: string; platform: string; memoryGiB: number };
  options: { quick: boolean; filter: string[] | null; backends: string[] | null };
  engines: { name: string; peer: boolean; available: boolean; reason?: string; waits?: string; info?: Record<string, string | number | boolean> }[];
  rows: ResultRow[];
  /** Ratios of our engines against each peer, from this run: peer time / our time (>1: ours faster). */
  ratios: { case: string; engine: string; peer: string; speedup: number }[];
  /** Set for a run in a browser: which one, and whether the page was cross-origin isolated. */
  browser?: { name: string; version: string; userAgent: string; crossOriginIsolated: boolean };
}
