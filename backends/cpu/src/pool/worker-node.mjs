/**
 * Node entry of a pool worker (worker_threads). Marks its slot dead on exit so a caller
 * waiting on a chunk this worker held fails fast instead of hanging.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DEAD, DONE, SLOTS, SLOT_WORDS, CONTROL_BYTES } from "./protocol.mjs";
import { workerMain } from "./worker-loop.mjs";

const ctl = new Int32Array(workerData.memory.buffer, workerData.control, CONTROL_BYTES >> 2);
process.on("exit", () => {
  Atomics.store(ctl, SLOTS + workerData.slot * SLOT_WORDS + DEAD, 1);
  Atomics.notify(ctl, DONE);
});
workerMain(workerData, {
  ready: () => parentPort?.postMessage("ready"),
  crash: () => process.exit(70),
});
