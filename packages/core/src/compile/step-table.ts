/**
 * A program's steps laid out for its run loop: what kind of step each is and its input, output
 * and freed slots in flat integer arrays (one range per step), so a run reads dense arrays
 * instead of one small object per step; plus the per-step memos of resolved ops and views.
 */
import type { TraceNode } from "./builder.js";
import type { Unit } from "./fusion.js";
import type { ResolvedMemo } from "./resolved-ops.js";
import { isViewNode, type ViewMemo } from "./views.js";

/** How a step runs: a reshape run as a view of its input where possible. */
export const STEP_VIEW = 0;
/** How a step runs: a node the host runs itself (cond, whileLoop, scan). */
export const STEP_HOST = 1;
/** How a step runs: one op, through its resolved kernel. */
export const STEP_OP = 2;
/** How a step runs: a fused or epilogue unit. */
export const STEP_UNIT = 3;

/** The flat form of a program's steps. Step k's inputs are `inputs[inputAt[k]]` up to `inputs[inputAt[k + 1]]`; the same for outputs and frees. */
export interface StepTable {
  /** STEP_VIEW, STEP_HOST, STEP_OP or STEP_UNIT per step. */
  readonly kind: Uint8Array;
  /** The node of an op step (null for a unit step). */
  readonly node: (TraceNode | null)[];
  /** The unit of a fused or epilogue step (null for an op step). */
  readonly unit: ((Unit & { kind: "fused" | "epilogue" }) | null)[];
  readonly inputAt: Int32Array;
  readonly inputs: Int32Array;
  readonly outputAt: Int32Array;
  readonly outputs: Int32Array;
  readonly freeAt: Int32Array;
  readonly frees: Int32Array;
  readonly resolved: ResolvedMemo;
  readonly views: ViewMemo;
}

function flatten(lists: readonly (readonly number[])[]): { at: Int32Array; flat: Int32Array } {
  const at = new Int32Array(lists.length + 1);
  for (let k = 0; k < lists.length; k++) at[k + 1] = at[k]! + lists[k]!.length;
  const flat = new Int32Array(at[lists.length]!);
  for (let k = 0; k < lists.length; k++) flat.set(lists[k]!, at[k]!);
  return { at, flat };
}

/** The table of `steps` (each a unit with its input, output and freed slots). */
export function stepTable(steps: readonly { readonly unit: Unit; readonly inputs: readonly number[]; readonly outputs: readonly number[]; readonly frees: readonly number[] }[]): StepTable {
  const n = steps.length;
  const kind = new Uint8Array(n);
  const node: (TraceNode | null)[] = new Array(n).fill(null);
  const unit: ((Unit & { kind: "fused" | "epilogue" }) | null)[] = new Array(n).fill(null);
  for (let k = 0; k < n; k++) {
    const u = steps[k]!.unit;
    if (u.kind !== "op") {
      kind[k] = STEP_UNIT;
      unit[k] = u;
    } else {
      node[k] = u.node;
      kind[k] = isViewNode(u.node) ? STEP_VIEW : u.node.run ? STEP_HOST : STEP_OP;
    }
  }
  const ins = flatten(steps.map((s) => s.inputs));
  const outs = flatten(steps.map((s) => s.outputs));
  const frees = flatten(steps.map((s) => s.frees));
  return {
    kind,
    node,
    unit,
    inputAt: ins.at,
    inputs: ins.flat,
    outputAt: outs.at,
    outputs: outs.flat,
    freeAt: frees.at,
    frees: frees.flat,
    resolved: new Array(n).fill(undefined),
    views: new Array(n).fill(undefined),
  };
}
