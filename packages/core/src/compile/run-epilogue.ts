/**
 * Running an epilogue unit: the head op is resolved exactly as dispatch resolves it and handed,
 * with the tail's expression and extras, to the backend's `fusedEpilogue`. When the backend has
 * none or declines (or the extras live elsewhere), the head runs as an ordinary op and the tail
 * as a fused elementwise kernel, or op by op; the head's value is freed as soon as it is read.
 */
import { runOp, runResolvedWith } from "../engine/dispatch.js";
import type { KernelTensor } from "../ops/def.js";
import { broadcastShapes } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Unit } from "./fusion.js";
import type { ViewLayout } from "./fused-views.js";
import { kernelInput, runFused, runUnfused } from "./run-fused.js";

type EpilogueUnit = Unit & { kind: "epilogue" };

/** The head and tail as one kernel, or null when the device did not take it (nothing is left allocated). */
export function runEpilogueFused(u: EpilogueUnit, inputs: readonly Tensor[], layouts?: readonly (ViewLayout | null)[]): Tensor | null {
  const nh = u.head.inputs.length;
  const head = inputs.slice(0, nh);
  const extras = inputs.slice(nh);
  const outs = runResolvedWith(
    u.head.op,
    head,
    u.head.attrs as never,
    (backend, op) => {
      if (!backend.fusedEpilogue || (layouts && !backend.capabilities.fusedViews)) return false;
      const y = op.outputs[0]!;
      if (y.dtype !== u.dtype || !backend.capabilities.dtypes.includes(y.dtype)) return false;
      const kin: KernelTensor[] = [];
      for (let i = 0; i < extras.length; i++) {
        const t = extras[i]!;
        if (t._live("compiled kernel").backend !== backend || !backend.capabilities.dtypes.includes(t.dtype)) return false;
        kin.push(kernelInput(t, layouts?.[nh + i]));
      }
      // At run time a varying dimension may differ from the trace's: the tail must still keep the head's shape.
      const all = broadcastShapes("compiled kernel", y.shape, ...kin.map((t) => t.shape));
      if (all.length !== y.shape.length || all.some((d, i) => d !== y.shape[i])) return false;
      return backend.fusedEpilogue(op, u.expr, kin, y);
    },
    "epilogue",
  );
  return outs === null ? null : outs[0]!;
}

/** The head as an ordinary op, then the tail as a fused elementwise kernel (or its ops one by one). */
export function runEpilogueApart(u: EpilogueUnit, inputs: readonly Tensor[]): Tensor {
  const nh = u.head.inputs.length;
  const [h] = runOp(u.head.op, inputs.slice(0, nh), u.head.attrs as never);
  try {
    const ins = [h!, ...inputs.slice(nh)];
    // At run time a varying dimension may make the extras broadcast past the head's shape: the tail's shape is all of them.
    const shape = broadcastShapes("compiled kernel", ...ins.map((t) => t.shape));
    const fused = u.nodes.length > 1 ? runFused(u.expr, ins, shape, u.dtype) : null;
    if (fused) return fused;
    const tailInputs = [u.head.outputs[0]!.id, ...(u.leaves ?? u.inputs).slice(nh)];
    // The tail's leaves: the head's value first, then the extras (as the unit's expression numbers them).
    return runUnfused({ inputs: tailInputs, nodes: u.nodes }, ins);
  } finally {
    h!.dispose();
  }
}
