/**
 * The browser transport: one module Worker per slot, started from the prebuilt worker script
 * (src/generated/worker-browser.ts) through a blob: URL, so no bundler has to find a worker
 * file; the init object follows in a message (a shared WebAssembly.Memory and a compiled
 * Module are shared, not copied). Needs a cross-origin isolated page; the calling thread spins.
 */
import { WORKER_SOURCE } from "../generated/worker-browser.js";
import type { WorkerTransport } from "./transport.js";

let scriptUrl: string | null = null;

/** Starts pool workers as browser module Workers. */
export function browserTransport(): WorkerTransport {
  return {
    name: "web-worker",
    async spawn(init, events) {
      scriptUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
      const w = new Worker(scriptUrl, { type: "module", name: `eager-cpu-${init.slot}` });
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
