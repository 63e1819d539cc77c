/**
 * `@eager/plugin-worker`: a backend whose buffers and kernels live in a worker, written only
 * against `@eager/core/backend`. Kernels are synchronous enqueues on the calling thread
 * (batched, sent in order); reads are asynchronous and wait for the worker. The pattern for
 * any remote or off-main-thread device.
 */
import { releaseProxy, transfer, wrap, type Remote } from "comlink";
import { DTYPES, requiredOps, type Backend, type KernelTable, type KernelTensor, type OpName, type TypedArray } from "@eager/core/backend";
import type { Command, TensorRef, WorkerApi } from "./protocol.js";
import { startWorker, type StartedWorker } from "./transport.js";

export type { Command, TensorRef, WorkerApi } from "./protocol.js";

/** Options of `createWorkerBackend`. */
export interface WorkerBackendOptions {
  /** The backend's name (default "worker"). */
  readonly name?: string;
  /**
   * Ops it runs in the worker (default: the required ops; optional ops then run as their
   * decompositions, still in the worker). It must include every required op: a backend without
   * synchronous reads cannot fall back, so registration refuses it otherwise.
   */
  readonly ops?: readonly OpName[];
}

/**
 * Create a worker backend. Its `init` starts the worker (register it, then `await ready(name)`);
 * it has no `readSync`, so read with `await t.data()`.
 * @example registerBackend("worker", () => createWorkerBackend(), { kind: "other" }); await ready("worker");
 */
export function createWorkerBackend(options: WorkerBackendOptions = {}): Backend<number> {
  const name = options.name ?? "worker";
  let worker: StartedWorker | null = null;
  let remote: Remote<WorkerApi> | null = null;
  let queue: Command[] = [];
  let transfers: Transferable[] = [];
  /** The first command that failed in the worker: every later read rejects with it (results may depend on it). */
  let failure: Error | null = null;
  let waiting = 0;
  let nextId = 1;

  /** Send the queued commands as one message (order is kept: messages arrive in order). */
  const flush = (): void => {
    if (queue.length === 0 || !remote) return;
    const batch = queue;
    queue = [];
    remote.exec(transfer(batch, transfers)).catch((e: Error) => (failure ??= e));
    transfers = [];
  };
  const enqueue = (c: Command, t?: Transferable): void => {
    if (queue.length === 0) queueMicrotask(flush);
    queue.push(c);
    if (t) transfers.push(t);
  };
  const ref = (t: KernelTensor<number>): TensorRef => ({ id: t.data, shape: t.shape, dtype: t.dtype });
  const kernels: Record<string, unknown> = {};
  for (const op of options.ops ?? requiredOps)
    kernels[op] = (inputs: readonly KernelTensor<number>[], outputs: readonly KernelTensor<number>[], attrs: unknown) =>
      enqueue({ kind: "run", op, inputs: inputs.map(ref), outputs: outputs.map(ref), attrs });

  return {
    name,
    capabilities: { kind: "other", dtypes: DTYPES, syncRead: false, info: { thread: "worker" } },
    kernels: kernels as Partial<KernelTable<number>>,
    async init() {
      worker = await startWorker();
      remote = wrap<WorkerApi>(worker.endpoint);
      worker.hold(true);
      try {
        await Promise.race([remote.exec([]), worker.died]);
      } finally {
        worker.hold(false);
      }
    },
    alloc(dtype, size) {
      const id = nextId++;
      enqueue({ kind: "alloc", id, dtype, size });
      return id;
    },
    write(id, data) {
      const copy = data.slice();
      enqueue({ kind: "write", id, data: copy }, copy.buffer);
    },
    async read(id) {
      if (!remote || !worker) throw new Error(`${name}: read before the worker started; await ready("${name}") first`);
      flush();
      if (waiting++ === 0) worker.hold(true);
      try {
        const values: TypedArray = await Promise.race([remote.read(id), worker.died]);
        if (failure) throw new Error(`${name}: ${failure.message}`);
        return values;
      } finally {
        if (--waiting === 0) worker.hold(false);
      }
    },
    free: (id) => enqueue({ kind: "free", id }),
    flush,
    dispose() {
      remote?.[releaseProxy]();
      worker?.terminate();
      remote = null;
      worker = null;
    },
  };
}
