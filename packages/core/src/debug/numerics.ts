/**
 * Numerics checking: after each op, a NaN or Infinity in a float output that none of its inputs
 * held throws a NumericsError naming the op, the output, the count, the input shapes and the
 * user's line. On devices without synchronous reads the values are read in the background and
 * the first finding is thrown at the next `await tensor.data()` (or when `withCheckNumerics` ends).
 */
import { isFloat, type TypedArray } from "../dtype.js";
import { engine } from "../engine/engine.js";
import { NumericsError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { callSite } from "./call-site.js";
import { addWatcher, type WatchedOp } from "./observer.js";
import { countNonFinite, readsSync, valuesLater, valuesNow } from "./values.js";

const state: { stop: (() => void) | null; depth: number; pending: Promise<string | null>[] } = { stop: null, depth: 0, pending: [] };

function shapes(ts: readonly Tensor[]): string {
  return ts.map((t) => t.describe()).join(", ");
}

/** The message for output `index` of `op` holding `nan` NaNs and `inf` infinities. */
function describeFinding(op: { name: string; device: string; inputs: readonly Tensor[]; outputs: readonly Tensor[] }, index: number, c: { nan: number; inf: number; first: number }, site: string, later: boolean): string {
  const bad = [c.nan ? `${c.nan} NaN` : "", c.inf ? `${c.inf} infinite` : ""].filter(Boolean).join(" and ");
  const out = op.outputs[index]!;
  return (
    `${op.name} on "${op.device}" produced ${bad} value${c.nan + c.inf === 1 ? "" : "s"} in output ${index} (${out.describe()}, first at flat index ${c.first}) ` +
    `from finite inputs (${shapes(op.inputs) || "none"}), called at ${site}${later ? " (found in the background; reported at this read)" : ""}`
  );
}

function inputsFinite(values: readonly TypedArray[]): boolean {
  for (const v of values) {
    const c = countNonFinite(v);
    if (c.nan + c.inf > 0) return false;
  }
  return true;
}

const watcher = {
  after(op: WatchedOp): void {
    if (op.depth > 0) return; // a decomposition's steps: the op itself is checked
    const floats = op.outputs.map((t, i) => [t, i] as const).filter(([t]) => isFloat(t.dtype) && t.size > 0);
    if (floats.length === 0) return;
    if (floats.every(([t]) => readsSync(t)) && op.inputs.every((t) => readsSync(t))) {
      for (const [t, i] of floats) {
        const c = countNonFinite(valuesNow(t));
        if (c.nan + c.inf === 0) continue;
        if (!inputsFinite(op.inputs.filter((x) => isFloat(x.dtype)).map(valuesNow))) return;
        throw new NumericsError(describeFinding(op, i, c, callSite(), false));
      }
      return;
    }
    // Asynchronous device: read everything now (queued in order), judge when the values arrive.
    const site = callSite();
    const outs = floats.map(([t, i]) => valuesLater(t).then((v) => [i, v] as const));
    const ins = op.inputs.filter((x) => isFloat(x.dtype)).map(valuesLater);
    const snapshot = { name: op.name, device: op.device, inputs: op.inputs, outputs: op.outputs };
    state.pending.push(
      Promise.all([Promise.all(outs), Promise.all(ins)]).then(([o, i]) => {
        for (const [index, v] of o) {
          const c = countNonFinite(v);
          if (c.nan + c.inf > 0) return inputsFinite(i) ? describeFinding(snapshot, index, c, site, true) : null;
        }
        return null;
      }),
    );
    engine.readBarrier = settlePending;
  },
};

/** Wait for the background checks; throw the first finding (in op order). */
async function settlePending(): Promise<void> {
  while (state.pending.length > 0) {
    const batch = state.pending;
    state.pending = [];
    const found = await Promise.all(batch);
    const first = found.find((m) => m !== null);
    if (first) {
      state.pending = [];
      if (engine.readBarrier === settlePending) engine.readBarrier = null;
      throw new NumericsError(first);
    }
  }
  if (engine.readBarrier === settlePending) engine.readBarrier = null;
}

/**
 * Check every op's outputs for NaN and Infinity from now on (until `disableCheckNumerics`).
 * @example tf.enableCheckNumerics(); tf.log(tf.tensor([0, -1])); // throws NumericsError: log ... produced 1 NaN and 1 infinite values
 */
export function enableCheckNumerics(): void {
  state.depth++;
  state.stop ??= addWatcher(watcher);
}

/** Stop checking numerics (every enable needs one disable; checks already queued still report). */
export function disableCheckNumerics(): void {
  if (state.depth === 0) return;
  if (--state.depth === 0) {
    state.stop?.();
    state.stop = null;
  }
}

/** Whether numerics checking is on. */
export function isCheckNumericsEnabled(): boolean {
  return state.depth > 0;
}

/**
 * Run `fn` with numerics checking on. For an async `fn`, background checks (asynchronous
 * devices) are awaited before the promise settles, so a finding rejects it.
 */
export function withCheckNumerics<R>(fn: () => R): R {
  enableCheckNumerics();
  let result: R;
  try {
    result = fn();
  } catch (e) {
    disableCheckNumerics();
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      async (v) => {
        disableCheckNumerics();
        await settlePending();
        return v;
      },
      (e) => {
        disableCheckNumerics();
        throw e;
      },
    ) as R;
  }
  disableCheckNumerics();
  return result;
}

/** Wait for background numerics checks (asynchronous devices) and throw the first finding. */
export function flushNumericsChecks(): Promise<void> {
  return settlePending();
}
