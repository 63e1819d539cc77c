/**
 * Helpers shared by workloads: a once-only cache for oracle results, and the usual
 * "run one op, read the result, free it" iteration body.
 */
import type { Engine } from "../types.js";

/** `fn` evaluated on first call and cached. */
export function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

/** Runs `op`, waits by reading its result to the host, frees it, returns the values. */
export async function readAndFree<T>(engine: Engine<T>, op: () => T): Promise<Float32Array> {
  const out = op();
  try {
    return await engine.read(out);
  } finally {
    engine.dispose(out);
  }
}
