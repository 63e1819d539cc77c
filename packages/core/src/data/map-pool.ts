/**
 * Worker pools for `Dataset.map(fn, { parallel })`: piscina's worker_threads in Node,
 * module Web Workers driven through comlink in browsers. A pool runs one task per worker
 * at a time and is closed by its owner; `openMapPools()` counts pools not yet closed.
 */
import { releaseProxy, wrap, type Remote } from "comlink";
import { engine } from "../engine/engine.js";

/** A function as sent to a worker: a module URL and export name, or self-contained source. */
export type SentFunction = { readonly kind: "module"; readonly module: string; readonly export: string } | { readonly kind: "source"; readonly source: string };

/** One task: the function and one host element. */
export interface MapTask {
  readonly fn: SentFunction;
  readonly element: unknown;
}

/** A pool of `size` workers. */
export interface MapPool {
  readonly kind: "piscina" | "web-worker";
  readonly size: number;
  run(task: MapTask): Promise<unknown>;
  close(): Promise<void>;
}

/** How many parallel-map worker pools are open now (each closes when its iteration stops). */
export function openMapPools(): number {
  return engine.openMapPools;
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
}

interface PiscinaLike {
  run(task: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}

async function piscinaPool(size: number): Promise<MapPool> {
  // A variable specifier keeps browser bundlers from following this Node-only import.
  const specifier = "piscina";
  const { Piscina } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as { Piscina: new (o: object) => PiscinaLike };
  const pool = new Piscina({ filename: new URL("./map-worker-node.mjs", import.meta.url).href, minThreads: size, maxThreads: size, concurrentTasksPerWorker: 1, idleTimeout: 60_000 });
  return { kind: "piscina", size, run: (task) => pool.run(task), close: () => pool.destroy() };
}

interface WebWorker {
  terminate(): void;
  addEventListener(type: "error", fn: (e: { message?: string; preventDefault(): void }) => void): void;
}
type WorkerCtor = new (url: URL, options: { type: "module"; name: string }) => WebWorker;
type Api = { run(task: MapTask): Promise<unknown> };

async function webWorkerPool(size: number): Promise<MapPool> {
  const Worker = (globalThis as { Worker?: WorkerCtor }).Worker;
  if (!Worker) throw new Error("Dataset.map: { parallel } needs Web Workers (or Node's worker_threads), and this environment has neither");
  const slots = Array.from({ length: size }, (_, i) => {
    const worker = new Worker(new URL("./map-worker-browser.mjs", import.meta.url), { type: "module", name: `eager-map-${i}` });
    // comlink never settles a call to a worker that failed to load: reject those here.
    const pending = new Set<(e: Error) => void>();
    let failure: Error | null = null;
    worker.addEventListener("error", (e) => {
      e.preventDefault();
      failure = new Error(`a map worker failed: ${e.message || "it could not load"}`);
      for (const f of pending) f(failure);
      pending.clear();
    });
    const remote: Remote<Api> = wrap<Api>(worker as never);
    const slot = {
      busy: 0,
      worker,
      remote,
      run(task: MapTask): Promise<unknown> {
        if (failure) return Promise.reject(failure);
        return new Promise((resolve, reject) => {
          pending.add(reject);
          remote.run(task).then(resolve, reject).finally(() => pending.delete(reject));
        });
      },
    };
    return slot;
  });
  return {
    kind: "web-worker",
    size,
    async run(task) {
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      slot.busy++;
      try {
        return await slot.run(task);
      } finally {
        slot.busy--;
      }
    },
    async close() {
      for (const s of slots) {
        s.remote[releaseProxy]();
        s.worker.terminate();
      }
    },
  };
}

/** Opens a pool of `size` workers for this environment. */
export async function openMapPool(size: number): Promise<MapPool> {
  const pool = isNode() ? await piscinaPool(size) : await webWorkerPool(size);
  engine.openMapPools++;
  let closed = false;
  return {
    ...pool,
    async close() {
      if (closed) return;
      closed = true;
      engine.openMapPools--;
      await pool.close();
    },
  };
}
