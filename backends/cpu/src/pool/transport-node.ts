/**
 * The Node transport: one worker_threads Worker per slot running worker-node.mjs, unref'd
 * once ready so it never keeps a process alive. Imported only by the Node platform module.
 */
import { Worker } from "node:worker_threads";
import type { WorkerTransport } from "./transport.js";

/** Starts pool workers as worker_threads. */
export function nodeTransport(): WorkerTransport {
  return {
    name: "worker_threads",
    async spawn(init, events) {
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
