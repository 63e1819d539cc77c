/**
 * Peers in Node: TensorFlow.js on its "cpu" backend and on its "wasm" backend with threads.
 * tfjs-backend-wasm turns threads off in Node, and its pthreads would start from blob: URLs
 * that worker_threads rejects; here the threaded build is switched on, its Blobs become
 * temporary files (src/engines/node-threads.ts, with the Node-bundle names its factory's
 * source refers to), and it sees twice the logical cores while it starts, because XNNPACK
 * halves that count (it assumes two hardware threads per core).
 */
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
// The union package registers every gradient on the same tfjs-core (tfjs-core alone has none).
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Engine, EngineUnavailable } from "../types.js";
import { installBlobFiles } from "./node-threads.js";
import { tfEngine } from "./tfjs-engine.js";

const require = createRequire(import.meta.url);

/** The worker-side factory of the threaded build comes from the Node bundle, whose module names it uses. */
const FACTORY_PRELUDE =
  'var require$$0 = require("fs"), require$$1 = require("path"), require$$2 = require("worker_threads"), require$$3 = require("perf_hooks"), require$$4 = require("os"), commonjsGlobal = globalThis;\n';

function enableThreads(threads: number): void {
  installBlobFiles((text) => (text.startsWith("var WasmBackendModuleThreadedSimd") ? FACTORY_PRELUDE + text : text));
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  setThreadsCount(threads);
}

/** The tfjs engines that start here, and those that do not, with reasons. */
export async function tfjsEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const engines: Engine[] = [];
  const unavailable: EngineUnavailable[] = [];
  // Production mode: no debug checks or console advice inside timed code.
  tf.enableProdMode();
  if (await tf.setBackend("cpu")) engines.push(tfEngine("tfjs-cpu", "cpu", { threads: 1 }));
  else unavailable.push({ name: "tfjs-cpu", reason: "tf.setBackend('cpu') failed" });
  const cores = os.availableParallelism();
  const cpus = os.cpus;
  try {
    setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + path.sep);
    enableThreads(cores);
    os.cpus = () => [...cpus(), ...cpus()];
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
    engines.push(tfEngine("tfjs-wasm", "wasm", { simd, threads: getThreadsCount(), threadsNote: "threaded build, pthreads loaded from temporary files" }));
  } catch (e) {
    unavailable.push({ name: "tfjs-wasm", reason: `threaded wasm backend could not start in Node: ${(e as Error).message.split("\n")[0]!}` });
  } finally {
    os.cpus = cpus;
  }
  return { engines, unavailable };
}
