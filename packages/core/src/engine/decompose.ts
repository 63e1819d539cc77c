/**
 * Optional ops on a backend without their kernel: the op's decomposition runs on the device
 * dispatch chose, as ordinary ops in that device's scope (constants are made there, nothing
 * moves, nothing is read back). Recording is paused inside: the tape keeps the optional op and
 * its own gradient rule.
 */
import type { OpDef, TensorSpec } from "../ops/def.js";
import type { Backend } from "../plugin.js";
import type { Tensor } from "../tensor.js";
import { withFrame } from "./context.js";
import { engine } from "./engine.js";
import { tidy } from "./memory.js";
import { noteDecomposed } from "./placement.js";

/** Whether dispatch should run `def` as its decomposition on `backend` (it has no kernel for it, or it is forced). */
export function shouldDecompose(def: OpDef<unknown>, backend: Backend<any>): boolean {
  return def.decompose !== undefined && (engine.forcedDecomposition === def.name || !(def.name in backend.kernels));
}

/**
 * Run `fn` with optional op `op` computed by its decomposition on every device, kernels or
 * not (the ops inside the decomposition still use their kernels). For checking a fast kernel
 * against the decomposition.
 */
export function decomposeAlways<R>(op: string, fn: () => R): R {
  const before = engine.forcedDecomposition;
  engine.forcedDecomposition = op;
  try {
    return fn();
  } finally {
    engine.forcedDecomposition = before;
  }
}

/**
 * Run optional op `def` as its decomposition on `backend`. The outputs are checked against
 * `specs` (a decomposition that disagrees with `infer` is a bug named here) and carry the
 * placement the op itself would have given them.
 */
export function runDecomposition<A>(def: OpDef<A>, backend: Backend<any>, inputs: readonly Tensor[], attrs: A, specs: readonly TensorSpec[], placed: boolean): Tensor[] {
  const outputs = withFrame({ device: backend.name, pauseRecording: true }, () => tidy(() => def.decompose!(inputs, attrs, specs)));
  for (let i = 0; i < specs.length; i++) {
    const t = outputs[i];
    const s = specs[i]!;
    if (!t || inputs.includes(t) || t.dtype !== s.dtype || t.shape.length !== s.shape.length || t.shape.some((d, j) => d !== s.shape[j])) {
      for (const o of outputs) o.dispose();
      throw new Error(`${def.name}: its decomposition returned ${!t ? "nothing" : inputs.includes(t) ? "one of its inputs" : `${t.dtype}[${t.shape}]`} for output ${i}, but infer says ${s.dtype}[${s.shape}]`);
    }
    // Ran in a device scope; the op's outputs are placed only if the op's device was chosen explicitly.
    (t as { _placed: boolean })._placed = placed;
  }
  noteDecomposed(def.name, backend.name);
  return outputs;
}
