/**
 * A bound on live buffers, so a loop that creates tensors and never disposes them fails with
 * an error that says what leaks and how to fix it, long before the device runs out of memory.
 * (The finalizer frees lost tensors only when the event loop turns, which a synchronous loop
 * never lets happen.) Counting is one increment per buffer; the check is one comparison.
 */
import { EagerError } from "../errors.js";
import { engine } from "./engine.js";

/** Too many live buffers: almost always tensors created in a loop and never disposed. */
export class MemoryLimitError extends EagerError {}

/** Limits on live memory. */
export interface MemoryLimits {
  /** Most buffers alive at once, on all devices together (views share their base's buffer); null for no limit. Default 200,000. */
  readonly maxLiveBuffers: number | null;
}

/** Set limits on live memory; returns the previous limits. @example setMemoryLimits({ maxLiveBuffers: 1e6 }) */
export function setMemoryLimits(limits: Partial<MemoryLimits>): MemoryLimits {
  const before = getMemoryLimits();
  const m = limits.maxLiveBuffers;
  if (m !== undefined) {
    if (m !== null && !(Number.isInteger(m) && m > 0)) throw new MemoryLimitError(`setMemoryLimits: maxLiveBuffers must be an integer > 0 or null, got ${String(m)}`);
    engine.maxLiveBuffers = m ?? Infinity;
  }
  return before;
}

/** The limits in force. */
export function getMemoryLimits(): MemoryLimits {
  return { maxLiveBuffers: engine.maxLiveBuffers === Infinity ? null : engine.maxLiveBuffers };
}

/** Throw MemoryLimitError if one more buffer for `op` would pass the limit. */
export function checkLiveLimit(op: string): void {
  if (engine.liveBuffers < engine.maxLiveBuffers) return;
  throw new MemoryLimitError(
    `${engine.liveBuffers} tensor buffers are alive, the limit (setMemoryLimits({ maxLiveBuffers })) is ${engine.maxLiveBuffers}, and ${op} asked for one more. ` +
      `Tensors created in a loop and never disposed leak: run each step inside tidy(() => ...), call dispose() on tensors you no longer need, ` +
      `or declare them with "using". The garbage collector frees lost tensors only when the event loop turns, which a synchronous loop never lets it do.`,
  );
}
