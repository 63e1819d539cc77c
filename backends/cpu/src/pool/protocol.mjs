/**
 * The shared control block between the calling thread and the workers, and the chunk-claim
 * loop both run. Plain JavaScript so worker entries load it without a TypeScript step.
 * Invariant: a chunk is claimed only while the claim word carries the task's generation.
 */

/** Int32 slots of the control block (offsets in 4-byte words from its start). */
export const GEN = 0; // task generation; workers Atomics.wait on it
export const CLAIM = 1; // (generation & 0xfff) << 20 | next chunk index; index 0xfffff = closed
export const DONE = 2; // chunks finished in the current task
export const NCHUNKS = 3;
export const FN = 4; // index of the wasm export to call
export const NARGS = 5;
export const ERROR = 6; // 0, or 1 + slot of the worker whose chunk threw
export const STOP = 7; // non-zero: workers exit their loop
export const CRASH = 8; // test hook: the worker in this slot + 1 exits inside its next chunk
export const SLOTS = 16; // per worker: [BUSY, DEAD, READY, spare] from here
export const SLOT_WORDS = 4;
export const MAX_WORKERS = 64;
/** Float64 arguments start here (byte offset from the block start). */
export const ARGS_BYTE = (SLOTS + SLOT_WORDS * MAX_WORKERS) * 4;
export const MAX_ARGS = 24;
/** Bytes of error text a failing worker leaves for the caller. */
export const MSG_BYTE = ARGS_BYTE + MAX_ARGS * 8;
export const MSG_BYTES = 512;
export const CONTROL_BYTES = MSG_BYTE + MSG_BYTES;
/** Chunk indices fit in 20 bits. */
export const MAX_CHUNKS = (1 << 20) - 1;
/** Per-worker slot words. */
export const BUSY = 0;
export const DEAD = 1;
export const READY = 2;

/**
 * Claim and run chunks of generation `gen` until none are left. `run(chunk)` does one chunk.
 * Returns the number of chunks this thread ran. Shared by the caller and every worker.
 */
export function claimChunks(ctl, gen, run) {
  const tag = ((gen & 0xfff) << 20) | 0;
  let ran = 0;
  for (;;) {
    const v = Atomics.load(ctl, CLAIM);
    if ((v & 0xfff00000) !== tag) return ran;
    const c = v & 0xfffff;
    const n = Atomics.load(ctl, NCHUNKS);
    if (c >= n) return ran;
    if (Atomics.compareExchange(ctl, CLAIM, v, v + 1) !== v) continue;
    run(c);
    ran++;
    if (Atomics.add(ctl, DONE, 1) + 1 === n) Atomics.notify(ctl, DONE);
  }
}
