/**
 * How pool workers are started: the transport is the only platform-specific part of the
 * pool (worker_threads in Node, module Workers in browsers; see src/platform/). Workers
 * only need the init object; all signalling after start-up goes through the shared control block.
 */
import type { WasmMemory, WasmModule } from "../wasm/public-types.js";

/** What a worker needs to start: the shared memory, the compiled kernels and its slot. */
export interface WorkerInit {
  readonly memory: WasmMemory;
  readonly module: WasmModule;
  readonly exportNames: readonly string[];
  /** Byte offset of the control block in `memory`. */
  readonly control: number;
  readonly slot: number;
}

/** A started worker. */
export interface WorkerHandle {
  terminate(): Promise<unknown> | void;
}

/** Callbacks from a started worker. */
export interface WorkerEvents {
  ready(): void;
  exit(code: number): void;
  error(err: unknown): void;
}

/** Starts workers. */
export interface WorkerTransport {
  readonly name: string;
  spawn(init: WorkerInit, events: WorkerEvents): Promise<WorkerHandle>;
}
