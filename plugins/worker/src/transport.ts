/**
 * Starting the worker: a worker_threads Worker in Node, talking over a MessagePort that is
 * unref'd except while a read waits (an idle backend never keeps a process alive), and a
 * module Web Worker in browsers. `died` rejects if the worker fails or exits.
 */
import type { Endpoint } from "comlink";

/** A running worker, ready for comlink. */
export interface StartedWorker {
  readonly endpoint: Endpoint;
  /** Rejects when the worker fails to load, throws outside a call, or exits. */
  readonly died: Promise<never>;
  /** Whether a read is waiting (Node: keep the process alive meanwhile). */
  hold(waiting: boolean): void;
  terminate(): void;
}

/** True when this module runs as TypeScript source (tests, the monorepo), not built JavaScript. */
const fromSource = /\.ts(\?|$)/.test(import.meta.url);

function deathWatch(): { died: Promise<never>; kill: (e: Error) => void } {
  let kill!: (e: Error) => void;
  const died = new Promise<never>((_, reject) => (kill = reject));
  died.catch(() => undefined); // observed by reads; a worker nobody reads from may die quietly
  return { died, kill };
}

/** Start the worker for this platform. */
export async function startWorker(): Promise<StartedWorker> {
  const { died, kill } = deathWatch();
  if (typeof process === "undefined" || typeof process.versions?.node !== "string") {
    const url = new URL(fromSource ? "./worker-browser.ts" : "./worker-browser.js", import.meta.url);
    const w = new Worker(url, { type: "module", name: "eager-worker-backend" });
    w.addEventListener("error", (e) => kill(new Error(`worker backend: the worker failed: ${e.message || "it did not load"}`)));
    return { endpoint: w, died, hold: () => undefined, terminate: () => w.terminate() };
  }
  const threads = await import("node:worker_threads");
  const { port1, port2 } = new threads.MessageChannel();
  const entry = new URL(fromSource ? "./host.ts" : "./host.js", import.meta.url).href;
  const script = new URL("./worker-node.mjs", import.meta.url);
  const w = new threads.Worker(script, { workerData: { entry, port: port2 }, transferList: [port2], execArgv: fromSource ? ["--conditions=source"] : [] });
  w.on("error", (e) => kill(new Error(`worker backend: the worker failed: ${e.message}`)));
  w.on("exit", (code) => kill(new Error(`worker backend: the worker exited (code ${code})`)));
  w.unref();
  return {
    endpoint: port1 as unknown as Endpoint,
    died,
    hold: (waiting) => (waiting ? port1.ref() : port1.unref()),
    terminate: () => void w.terminate(),
  };
}
