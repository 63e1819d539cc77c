/**
 * Running a unit that reads views: each view's layout over the run's actual input (cached per
 * input shape, since a varying dimension may change it), or, for a device that takes no views,
 * the view's ops run first (as a compiled program runs them: reshapes as views, the others through
 * the resolved fast path) to make the values the unit reads.
 */
import { shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { viewLayout, type UnitView, type ViewLayout } from "./fused-views.js";
import { currentFrame } from "../engine/context.js";
import type { TraceNode } from "./builder.js";
import { runResolved, type ResolvedMemo } from "./resolved-ops.js";
import { isViewNode, runAsView, type ViewMemo } from "./views.js";

const cache = new WeakMap<UnitView, { shape: readonly number[]; layout: ViewLayout | null }>();


/** Per input: its view's layout (null where the input is read whole), or null when some view is not a strided window at these shapes. */
export function layoutsOf(views: readonly (UnitView | null)[], inputs: readonly Tensor[]): (ViewLayout | null)[] | null {
  const out: (ViewLayout | null)[] = new Array(views.length);
  for (let k = 0; k < views.length; k++) {
    const v = views[k];
    if (!v) {
      out[k] = null;
      continue;
    }
    const t = inputs[k]!;
    let c = cache.get(v);
    if (!c || !shapesEqual(c.shape, t.shape)) cache.set(v, (c = { shape: t.shape, layout: viewLayout(v.chain, t.shape, t.dtype) }));
    if (c.layout === null) return null;
    out[k] = c.layout;
  }
  return out;
}

/**
 * The values a unit's expression reads: `inputs` with each view made by running its ops.
 * `made` lists the tensors made here (the caller frees them after the unit has run).
 */
export function materializeViews(views: readonly (UnitView | null)[], inputs: readonly Tensor[], made: Tensor[]): Tensor[] {
  // Views of one value often share their first ops (a time step, then its gates): each op runs once.
  const done = new Map<object, Tensor>();
  return inputs.map((t, k) => {
    const v = views[k];
    if (!v) return t;
    let x = t;
    for (const n of v.chain) {
      let y = done.get(n);
      if (!y) {
        y = runNodeAlone(n, [x])[0]!;
        done.set(n, y);
        made.push(y);
      }
      x = y;
    }
    return x;
  });
}

/** Each node's own memo of what its fast paths resolved (a node run outside the program's step table). */
const memos = new WeakMap<TraceNode, { resolved: ResolvedMemo; views: ViewMemo }>();

/** Run one node as a compiled program runs its ops: a reshape as a view, the others through the resolved fast path. */
export function runNodeAlone(node: TraceNode, ins: readonly Tensor[]): Tensor[] {
  let m = memos.get(node);
  if (!m) memos.set(node, (m = { resolved: [undefined], views: [undefined] }));
  const frame = currentFrame();
  if (isViewNode(node)) {
    const v = runAsView(node, ins, frame, m.views, 0);
    if (v !== null) return [v];
  }
  return runResolved(node, ins, frame, m.resolved, 0);
}
