/**
 * Constant folding while tracing: an op whose inputs all hold values (none symbolic, no variable)
 * runs once, with the reference backend's kernels (the ops' reference implementations), and its
 * result becomes a constant of the program, unplaced, so each device the program runs on gets
 * it uploaded once. Inputs on a device that cannot be read synchronously cannot reach the
 * reference backend while tracing: such an op runs on its device, as eagerly.
 */
import { runOp } from "../engine/dispatch.js";
import { currentFrame, withFrame } from "../engine/context.js";
import { engine } from "../engine/engine.js";
import type { OpName } from "../ops/table.js";
import { Tensor } from "../tensor.js";

/** The device folding runs on. */
export const FOLD_DEVICE = "reference";

/** Whether an op on these (real) inputs folds on the reference backend. */
export function foldable(inputs: readonly Tensor[]): boolean {
  if (inputs.length === 0) return false; // a creation op (fill, iota) makes its value where eager code would
  for (const t of inputs) if (t._storage === null || !t._storage.backend.capabilities.syncRead) return false;
  return true;
}

/** Run `op` on the reference backend, outside the trace, with no tape recording; the results are unplaced. */
export function foldOnReference(op: string, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
  const prev = engine.compiling;
  engine.compiling = null;
  try {
    const outs = withFrame({ device: FOLD_DEVICE, pauseRecording: true }, () => runOp(op as OpName, inputs, attrs as never));
    const scope = currentFrame().tidy;
    return outs.map((t) => {
      const s = t._live("constant folding");
      s.retain();
      t.dispose();
      return new Tensor(s, t.shape, t.dtype, false, scope);
    });
  } finally {
    engine.compiling = prev;
  }
}
