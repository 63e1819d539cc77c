/**
 * View absorption: a slice, reshape or broadcast whose every reader is a fused kernel need not be
 * copied. The kernels read it in place, as a strided view (shape, element strides, offset) of the
 * value it was cut from, on backends that take views (`capabilities.fusedViews`); elsewhere the
 * view's ops run first, as they would have. Runs after elementwise and epilogue fusion.
 */
import type { DType } from "../dtype.js";
import { opTable } from "../ops/table.js";
import { stridesOf } from "../shape.js";
import type { TraceNode } from "./builder.js";
import { fusible, nodeExpr, type Unit } from "./fusion.js";

/** The ops a view can stand for. */
const VIEW_OPS: ReadonlySet<string> = new Set(["stridedSlice", "reshape", "broadcastTo"]);

/** A strided window on a value: element strides per axis of `shape`, and the offset of its first element. */
export interface ViewLayout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

type Specs = ReadonlyMap<number, { shape: readonly number[]; dtype: DType }>;

const nonUnit = (shape: readonly number[]): number[] => shape.filter((d) => d !== 1);

/**
 * The layout of the value that `chain` (view ops, each reading the previous one's output) makes
 * from a contiguous value of `baseShape`, or null when it is not a strided window of it (a
 * reshape that regroups the axes of a non-contiguous view).
 */
export function viewLayout(chain: readonly TraceNode[], baseShape: readonly number[], dtype: DType): ViewLayout | null {
  let shape = baseShape;
  let strides: readonly number[] = stridesOf(baseShape);
  let offset = 0;
  for (const n of chain) {
    const [out] = (opTable[n.op as "reshape"].infer as unknown as (i: unknown[], a: unknown) => { shape: readonly number[] }[])([{ shape, dtype }], n.attrs);
    const next = out!.shape;
    if (n.op === "stridedSlice") {
      const a = n.attrs as { begin: readonly number[]; strides: readonly number[] };
      for (let d = 0; d < shape.length; d++) offset += a.begin[d]! * strides[d]!;
      strides = strides.map((s, d) => s * a.strides[d]!);
    } else if (n.op === "broadcastTo") {
      const off = next.length - shape.length;
      const st = strides;
      strides = next.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]!));
    } else {
      // reshape: a contiguous layout stays contiguous; otherwise only axes of size 1 may come or go.
      const contiguous = shape.every((d, i) => d === 1 || strides[i] === stridesOf(shape)[i]);
      if (contiguous) strides = stridesOf(next);
      else {
        const kept = nonUnit(shape);
        const want = nonUnit(next);
        if (kept.length !== want.length || kept.some((d, i) => d !== want[i])) return null;
        const st = strides.filter((_, i) => shape[i] !== 1);
        let k = 0;
        strides = next.map((d) => (d === 1 ? 0 : st[k++]!));
      }
    }
    shape = next;
  }
  return { shape, strides, offset };
}

/** A unit input read as a view: the ops that make it from the unit's input, and the value the unit's expression reads. */
export interface UnitView {
  readonly chain: readonly TraceNode[];
  /** The value id the chain makes (what the expression's leaf stands for). */
  readonly leaf: number;
}

/**
 * Absorb view ops into the fused units that read them: a fused unit's inputs (an epilogue's
 * extras, a lone elementwise op's inputs) made by a chain of view ops whose values nobody else
 * needs become the chain's source, read through a view. `pinned` values are never absorbed.
 * Returns `units` itself when nothing is absorbed.
 */
export function absorbViews(units: readonly Unit[], pinned: ReadonlySet<number>, specs: Specs): readonly Unit[] {
  const producer = new Map<number, number>(); // value id -> index of the unit that makes it
  units.forEach((u, i) => u.outputs.forEach((o) => producer.set(o, i)));
  const viewNode = (id: number): TraceNode | null => {
    const i = producer.get(id);
    const u = i === undefined ? undefined : units[i];
    return u && u.kind === "op" && VIEW_OPS.has(u.node.op) && !u.node.run && u.node.outputs.length === 1 && u.node.inputs.length === 1 ? u.node : null;
  };
  // Which input positions of each unit may take a view.
  const takes = (u: Unit, pos: number): boolean => {
    if (u.kind === "fused") return true;
    if (u.kind === "epilogue") return pos >= u.head.inputs.length;
    return fusible(u.node) && !u.node.run;
  };
  // A view value is absorbed when every reader takes it as a view or is an absorbed view op; iterate to a fixpoint.
  const absorbed = new Set<number>();
  for (const u of units) if (u.kind === "op" && viewNode(u.outputs[0]!) === u.node && !pinned.has(u.outputs[0]!)) absorbed.add(u.outputs[0]!);
  const readers = new Map<number, { unit: number; pos: number }[]>();
  units.forEach((u, i) => u.inputs.forEach((id, pos) => (readers.get(id) ?? readers.set(id, []).get(id)!).push({ unit: i, pos })));
  const isAbsorbedView = (i: number): boolean => units[i]!.kind === "op" && absorbed.has(units[i]!.outputs[0]!);
  // The chain of a view value: up through absorbed view values to the first value that is not one.
  const chainOf = (id: number): TraceNode[] => {
    const chain: TraceNode[] = [];
    let v = id;
    while (absorbed.has(v)) {
      const n = viewNode(v)!;
      chain.unshift(n);
      v = n.inputs[0]!;
    }
    return chain;
  };
  // Drop what breaks either rule until nothing does: a reader that takes no view, or a chain that
  // is not a strided window of its source at the traced shapes (its first op then stays an op).
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of absorbed) {
      const rs = readers.get(id) ?? [];
      const ok = rs.length > 0 && rs.every((r) => (isAbsorbedView(r.unit) ? true : takes(units[r.unit]!, r.pos)));
      if (!ok) {
        absorbed.delete(id);
        changed = true;
      }
    }
    if (changed) continue;
    for (const id of [...absorbed]) {
      const chain = chainOf(id);
      const src = specs.get(chain[0]!.inputs[0]!)!;
      if (viewLayout(chain, src.shape, src.dtype) === null) {
        // Make the chain's first value as an op: the rest may be a window of it.
        absorbed.delete(chain[0]!.outputs[0]!.id);
        changed = true;
      }
    }
  }
  if (absorbed.size === 0) return units;
  // Drop the absorbed view ops that no kept unit reads any more; rewrite the readers.
  const out: Unit[] = [];
  units.forEach((u) => {
    if (u.kind === "op" && absorbed.has(u.outputs[0]!)) return;
    if (!u.inputs.some((id, pos) => absorbed.has(id) && takes(u, pos))) {
      out.push(u);
      return;
    }
    const views: (UnitView | null)[] = u.inputs.map((id, pos) => (absorbed.has(id) && takes(u, pos) ? { chain: chainOf(id), leaf: id } : null));
    const inputs = u.inputs.map((id, pos) => (views[pos] ? views[pos]!.chain[0]!.inputs[0]! : id));
    if (u.kind === "op") {
      const n = u.node;
      const expr = nodeExpr(n, n.inputs.map((id) => specs.get(id)!.dtype));
      const o = n.outputs[0]!;
      out.push({ kind: "fused", expr, inputs, outputs: u.outputs, shape: o.shape, dtype: o.dtype, nodes: [n], views, leaves: u.inputs });
    } else out.push({ ...u, inputs, views, leaves: u.inputs });
  });
  return out;
}

/** The view ops a unit reads through, each once (views often share their first ops), for listings and the debugging tools' names. */
export function unitViewOps(u: Unit): string[] {
  if (u.kind === "op" || !u.views) return [];
  const seen = new Set<TraceNode>();
  const ops: string[] = [];
  for (const v of u.views)
    if (v)
      for (const n of v.chain) {
        if (seen.has(n)) continue;
        seen.add(n);
        ops.push(n.op);
      }
  return ops;
}
