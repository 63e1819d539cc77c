/**
 * Peer in Node: jax-js on its "wasm" device with `jit` and its worker pool. Node 20 has no
 * Web `Worker` or `navigator`; src/engines/node-threads.ts provides the Worker, and the pool
 * is sized by the machine's cores (jax-js reads navigator.hardwareConcurrency, 4 without it).
 * Both must exist before jax-js is first imported, so it is imported here, afterwards.
 */
import os from "node:os";
import type { Engine, EngineUnavailable } from "../types.js";
import { installWorkerGlobal } from "./node-threads.js";

/** The jax-js engine, or why it did not start. */
export async function jaxEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const name = "jax-js-wasm";
  const threads = os.availableParallelism();
  installWorkerGlobal();
  const g = globalThis as { navigator?: unknown };
  const hadNavigator = "navigator" in g;
  try {
    if (!hadNavigator) g.navigator = { hardwareConcurrency: threads };
    // jax-js decides on shared memory (and so on its worker pool) when it is first imported.
    const { init } = await import("@jax-js/jax");
    const { jaxEngine } = await import("./jax-engine.js");
    const devices = await init("wasm");
    if (!devices.includes("wasm")) return { engines: [], unavailable: [{ name, reason: `jax-js init gave ${devices.join(", ")}` }] };
    const engine = jaxEngine(name, "wasm", { threads, threadsNote: "worker pool over worker_threads (a Web Worker polyfill)" });
    const activate = engine.activate;
    // jax-js starts its pool at the first kernel, after other peers may have replaced the global Worker.
    return { engines: [{ ...engine, activate: async () => (installWorkerGlobal(), activate()) }], unavailable: [] };
  } catch (e) {
    return { engines: [], unavailable: [{ name, reason: (e as Error).message.split("\n")[0]! }] };
  } finally {
    if (!hadNavigator) delete g.navigator;
  }
}
