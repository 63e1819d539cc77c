/**
 * The null backend: records which kernels were called, computes nothing. Used to test
 * dispatch, placement and fallback quickly. Reads return zeros of the right size.
 */
import { allocArray, type DType } from "../dtype.js";
import { opTable, type OpName } from "../ops/table.js";
import type { Backend, BackendCapabilities, KernelTable } from "../plugin.js";

/** A buffer of the null backend: only its size and dtype. */
export interface NullBuffer {
  readonly dtype: DType;
  readonly size: number;
}

/** What a null backend saw. */
export interface NullBackend extends Backend<NullBuffer> {
  readonly calls: { op: OpName; inputShapes: number[][]; outputShapes: number[][] }[];
  liveBuffers: number;
}

/**
 * Create a null backend. `ops` limits the kernels it claims (default: all); `dtypes` limits
 * its dtypes; `kind` sets what alias it answers to.
 */
export function createNullBackend(options: { name?: string; ops?: readonly OpName[]; dtypes?: readonly DType[]; kind?: BackendCapabilities["kind"]; fallback?: string } = {}): NullBackend {
  const calls: NullBackend["calls"] = [];
  const kernels: Record<string, unknown> = {};
  for (const op of options.ops ?? (Object.keys(opTable) as OpName[])) {
    kernels[op] = (inputs: { shape: readonly number[] }[], outputs: { shape: readonly number[] }[]) =>
      calls.push({ op, inputShapes: inputs.map((t) => [...t.shape]), outputShapes: outputs.map((t) => [...t.shape]) });
  }
  const backend: NullBackend = {
    name: options.name ?? "null",
    capabilities: { kind: options.kind ?? "other", dtypes: options.dtypes ?? ["float32", "int32", "bool"], syncRead: true },
    kernels: kernels as Partial<KernelTable<NullBuffer>>,
    fallback: options.fallback,
    calls,
    liveBuffers: 0,
    alloc: (dtype, size) => {
      backend.liveBuffers++;
      return { dtype, size };
    },
    write: () => undefined,
    read: async (b) => allocArray(b.dtype, b.size),
    readSync: (b) => allocArray(b.dtype, b.size),
    free: () => {
      backend.liveBuffers--;
    },
  };
  return backend;
}
