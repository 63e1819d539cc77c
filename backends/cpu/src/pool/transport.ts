/**
 * How pool workers are started: the transport is the only platform-specific part of the
 * pool. Node uses worker_threads; a browser transport would start `new Worker(url)` and
 * post the same init message. Workers only need the init object; all signalling after
 * start-up goes through the shared control block.
 */

/** What a worker needs to start: the shared memory, the compiled kernels and its slot. */
export interface WorkerInit {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
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

/** The Node transport: one worker_threads Worker per slot, unref'd once ready so it never keeps a process alive. */
export function nodeTransport(): WorkerTransport {
  return {
    name: "worker_threads",
    async spawn(init, events) {
      const { Worker } = await import("node:worker_threads");
      const w = new Worker(new URL("./worker-node.mjs", import.meta.url), { workerData: init });
      w.on("message", (m) => {
        if (m !== "ready") return;
        w.unref(); // referenced only until it is ready, so start-up keeps the process alive
        events.ready();
      });
      w.on("error", (e) => events.error(e));
      w.on("exit", (code) => events.exit(code));
      return { terminate: () => w.terminate() };
    },
  };
}
