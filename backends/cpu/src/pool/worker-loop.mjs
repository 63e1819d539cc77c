/**
 * The body of a pool worker, independent of how it was started (Node worker_threads or a
 * browser Worker): instantiate the kernels on the shared memory, then wait on the control
 * block, claim chunks and call the requested wasm export for each. Never returns a value.
 */
import { ARGS_BYTE, BUSY, CONTROL_BYTES, CRASH, ERROR, FN, GEN, MSG_BYTE, MSG_BYTES, NARGS, READY, SLOTS, SLOT_WORDS, STOP, claimChunks } from "./protocol.mjs";

/**
 * Run the worker loop. `init`: { memory, module, exportNames, control, slot }.
 * `hooks.crash()` ends the thread abruptly (used by the crash test hook).
 */
export function workerMain(init, hooks) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const fns = init.exportNames.map((n) => instance.exports[n]);
  const buf = init.memory.buffer;
  const ctl = new Int32Array(buf, init.control, CONTROL_BYTES >> 2);
  const args = new Float64Array(buf, init.control + ARGS_BYTE, 24);
  const msg = new Uint8Array(buf, init.control + MSG_BYTE, MSG_BYTES);
  const slot = SLOTS + init.slot * SLOT_WORDS;
  const a = new Array(24).fill(0);
  const extra = new Map();
  Atomics.store(ctl, slot + READY, 1);
  hooks.ready();
  let seen = Atomics.load(ctl, GEN);
  for (;;) {
    Atomics.wait(ctl, GEN, seen);
    if (Atomics.load(ctl, STOP) !== 0) return;
    const gen = Atomics.load(ctl, GEN);
    if (gen === seen) continue;
    seen = gen;
    const index = Atomics.load(ctl, FN);
    let fn = fns[index];
    let nargs = Atomics.load(ctl, NARGS);
    if (fn === undefined) {
      // A kernel compiled after start (a fused expression): the last two args locate its module's bytes.
      nargs -= 2;
      fn = extra.get(index);
      if (fn === undefined) {
        const bytes = new Uint8Array(init.memory.buffer, args[nargs], args[nargs + 1]).slice();
        // It may call the prebuilt kernels (imported from "kernels", e.g. a matmul tile under an epilogue).
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: init.memory }, kernels: instance.exports });
        fn = inst.exports["fused"];
        extra.set(index, fn);
      }
    }
    for (let i = 0; i < nargs; i++) a[i] = args[i];
    a.length = nargs + 1;
    claimChunks(ctl, gen, (chunk) => {
      Atomics.store(ctl, slot + BUSY, 1);
      try {
        if (Atomics.load(ctl, CRASH) === init.slot + 1) {
          Atomics.store(ctl, CRASH, 0);
          hooks.crash();
        }
        a[nargs] = chunk;
        fn(...a);
      } catch (e) {
        if (Atomics.compareExchange(ctl, ERROR, 0, init.slot + 2) === 0) {
          const text = new TextEncoder().encode(String(e && e.message ? e.message : e)).subarray(0, MSG_BYTES - 1);
          msg.fill(0);
          for (let i = 0; i < text.length; i++) msg[i] = text[i];
        }
      }
      Atomics.store(ctl, slot + BUSY, 0);
    });
  }
}
