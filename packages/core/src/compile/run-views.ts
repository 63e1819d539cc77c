/**
 * Running a unit that reads views: each view's layout over the run's actual input (cached per
 * input shape, since a varying dimension may change it), or, for a device that takes no views,
 * the view's ops run first (as a compiled program runs them: reshapes as views, the others through
 * the resolved fast path) to make the values the unit reads.
 */
import type { Tensor } from "../tensor.js";
import { viewLayout, type UnitView, type ViewLayout } from "./fused-views.js";
import { runResolved } from "./resolved-ops.js";
import { runAsView } from "./views.js";

const cache = new WeakMap<UnitView, { shape: readonly number[]; layout: ViewLayout | null }>();

const same = (a: readonly number[], b: readonly number[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

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
    if (!c || !same(c.shape, t.shape)) cache.set(v, (c = { shape: t.shape, layout: viewLayout(v.chain, t.shape, t.dtype) }));
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
        y = runAsView(n, [x]) ?? runResolved(n, [x])[0]!;
        done.set(n, y);
        made.push(y);
      }
      x = y;
    }
    return x;
  });
}
