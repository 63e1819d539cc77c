/**
 * The browser transport: one module Worker per slot, started with the init object in a
 * message (a shared WebAssembly.Memory and a compiled Module are shared, not copied).
 * Needs a cross-origin isolated page; the calling thread spins instead of blocking.
 */
import { nodeTransport, type WorkerTransport } from "./transport.js";

/** Starts pool workers as browser module Workers. */
export function browserTransport(): WorkerTransport {
  return {
    name: "web-worker",
    async spawn(init, events) {
      const w = new Worker(new URL("./worker-browser.mjs", import.meta.url), { type: "module", name: `eager-cpu-${init.slot}` });
      w.onmessage = (e: MessageEvent) => {
        if (e.data === "ready") events.ready();
      };
      // A worker that fails to load or throws is gone: report it as an exit, so the pool
      // rejects start-up or replaces the worker instead of waiting for it forever.
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        events.error(new Error(e.message || "worker error"));
        w.terminate();
        events.exit(1);
      };
      w.postMessage(init);
      return {
        terminate: () => {
          w.terminate();
          events.exit(1);
        },
      };
    },
  };
}

/** The transport for this platform: worker_threads in Node, module Workers elsewhere. */
export function defaultTransport(): WorkerTransport {
  const node = typeof process !== "undefined" && typeof process.versions?.node === "string";
  return node ? nodeTransport() : browserTransport();
}
