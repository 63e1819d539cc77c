/**
 * Browser entry of a pool worker (a module Worker): receives the init object (the shared
 * memory and the compiled kernels) in its first message, then runs the same loop as in Node.
 * A crash closes the worker after marking its slot dead, so the caller fails fast.
 */
import { DEAD, DONE, SLOTS, SLOT_WORDS, CONTROL_BYTES } from "./protocol.mjs";
import { workerMain } from "./worker-loop.mjs";

self.onmessage = (event) => {
  const init = event.data;
  const ctl = new Int32Array(init.memory.buffer, init.control, CONTROL_BYTES >> 2);
  const die = () => {
    Atomics.store(ctl, SLOTS + init.slot * SLOT_WORDS + DEAD, 1);
    Atomics.notify(ctl, DONE);
    self.close();
    throw new Error("worker stopped");
  };
  try {
    workerMain(init, { ready: () => self.postMessage("ready"), crash: die });
  } catch (e) {
    Atomics.store(ctl, SLOTS + init.slot * SLOT_WORDS + DEAD, 1);
    Atomics.notify(ctl, DONE);
    throw e;
  }
};
