/**
 * Elementwise fusion: a value made by an elementwise op and read once, by another elementwise
 * op, is inlined into its reader's scalar expression, so a chain (or tree) of elementwise ops
 * becomes one kernel: one expression over the values that enter it from outside, each loaded
 * with broadcasting at the output's index. Numeric attrs become constants of the expression.
 */
import type { DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import { constant } from "../ir/builder.js";
import { node, rewrite, type Expr, type IrDType } from "../ir/expr.js";
import { instantiate, type ElementwiseExpr } from "../ir/instantiate.js";
import type { TraceNode } from "./builder.js";
import type { UnitView } from "./fused-views.js";

/** What a fused or epilogue unit reads through views (see fused-views.ts); an epilogue's head inputs never are. */
export interface ReadsViews {
  /** Per input: the view ops the kernel reads it through, or null. */
  readonly views?: readonly (UnitView | null)[];
  /** With `views`: the values the unit's ops read (the views' results), per input. */
  readonly leaves?: readonly number[];
}

/** A unit of a program: one op, or several elementwise ops fused into one expression. */
export type Unit =
  | { readonly kind: "op"; readonly node: TraceNode; readonly inputs: readonly number[]; readonly outputs: readonly number[] }
  | ({
      readonly kind: "fused";
      readonly expr: Expr;
      readonly inputs: readonly number[];
      readonly outputs: readonly number[];
      readonly shape: readonly number[];
      readonly dtype: DType;
      /** The ops in execution order (what runs when a backend cannot fuse). */
      readonly nodes: readonly TraceNode[];
    } & ReadsViews)
  | ({
      /** A head op (matmul, conv2d, a reduction) with an elementwise tail over its output. */
      readonly kind: "epilogue";
      readonly head: TraceNode;
      /** The tail: input 0 is the head's value, input k >= 1 the extra `inputs[head.inputs.length + k - 1]`. */
      readonly expr: Expr;
      /** The head's inputs, then the tail's other inputs (the extras). */
      readonly inputs: readonly number[];
      readonly outputs: readonly number[];
      readonly shape: readonly number[];
      readonly dtype: DType;
      /** The tail's ops in execution order (the head not included). */
      readonly nodes: readonly TraceNode[];
    } & ReadsViews);

const IR_DTYPES: ReadonlySet<string> = new Set(["float32", "float64", "int32", "bool"]);

/** Ops cheap enough to recompute in each elementwise reader rather than store once. */
const CHEAP: ReadonlySet<string> = new Set(["add", "sub", "mul", "neg"]);
/** The most readers a cheap op is recomputed for. */
const MAX_RECOMPUTED = 3;

/** Whether `n` is an elementwise op that fusion may inline (one output of a dtype the IR has). */
export function fusible(n: TraceNode): boolean {
  return n.def.expr !== undefined && n.outputs.length === 1 && IR_DTYPES.has(n.outputs[0]!.dtype) && n.inputs.length > 0;
}

/** The op's expression (an elementwise op's) with its inputs as leaves 0..k-1 and numeric attrs as constants. */
export function nodeExpr(n: TraceNode, dtypes: readonly DType[]): Expr {
  const attrs = (n.attrs ?? {}) as Record<string, unknown>;
  const statics: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v !== "number") statics[k] = v;
  const e = instantiate(n.def.expr as ElementwiseExpr<any>, dtypes as IrDType[], statics);
  return rewrite(e, (x) => {
    if (x.op !== "attr") return x;
    const v = attrs[x.name!];
    if (typeof v !== "number") throw new InvalidArgumentError(`compile: attr ${x.name} of ${n.op} is not a number`);
    return constant(v, x.dtype);
  });
}

/**
 * Group the nodes into units. `pinned` values (outputs, variable writes) are never inlined;
 * `specs` gives every value's dtype and shape.
 */
export function fuseElementwise(nodes: readonly TraceNode[], pinned: ReadonlySet<number>, specs: ReadonlyMap<number, { shape: readonly number[]; dtype: DType }>): Unit[] {
  const readers = new Map<number, number>();
  for (const n of nodes) for (const id of n.inputs) readers.set(id, (readers.get(id) ?? 0) + 1);
  const producer = new Map<number, TraceNode>();
  for (const n of nodes) if (fusible(n)) producer.set(n.outputs[0]!.id, n);
  // A value is inlined when an elementwise op makes it and exactly one elementwise op reads it.
  const inlined = new Set<number>();
  for (const n of nodes) {
    if (!fusible(n)) continue;
    for (const id of new Set(n.inputs)) if (producer.has(id) && readers.get(id) === 1 && !pinned.has(id) && n.inputs.filter((x) => x === id).length === 1) inlined.add(id);
  }
  // A cheap op (one add, sub, mul or neg of values that are not inlined themselves) read by a few
  // elementwise ops and nothing else is recomputed in each of them instead of stored and loaded.
  const readBy = new Map<number, TraceNode[]>();
  for (const n of nodes) for (const id of n.inputs) (readBy.get(id) ?? readBy.set(id, []).get(id)!).push(n);
  for (const [id, p] of producer) {
    const rs = readBy.get(id);
    if (!rs || rs.length < 2 || rs.length > MAX_RECOMPUTED || pinned.has(id) || !CHEAP.has(p.op)) continue;
    if (p.inputs.some((x) => inlined.has(x)) || !rs.every((r) => fusible(r) && r.inputs.filter((x) => x === id).length === 1)) continue;
    inlined.add(id);
  }
  const units: Unit[] = [];
  for (const n of nodes) {
    if (!fusible(n)) {
      units.push({ kind: "op", node: n, inputs: n.inputs, outputs: n.outputs.map((o) => o.id) });
      continue;
    }
    const out = n.outputs[0]!;
    if (inlined.has(out.id)) continue; // emitted inside its reader's unit
    const leaves: number[] = [];
    const group: TraceNode[] = [];
    const build = (m: TraceNode): Expr => {
      const args = m.inputs.map((id) => {
        const p = producer.get(id);
        if (p && inlined.has(id)) return build(p);
        let k = leaves.indexOf(id);
        if (k < 0) k = leaves.push(id) - 1;
        return { leaf: k, dtype: specs.get(id)!.dtype };
      });
      const e = nodeExpr(m, m.inputs.map((id) => specs.get(id)!.dtype));
      group.push(m);
      const body = rewrite(e, (x) => {
        if (x.op !== "input") return x;
        const a = args[x.index!]!;
        return "leaf" in a ? node("input", a.dtype as IrDType, [], { index: a.leaf }) : a;
      });
      // Where an unfused op would store a float32 result, the expression rounds (a same-dtype cast).
      return m !== n && body.dtype === "float32" && body.op !== "input" ? node("cast", "float32", [body]) : body;
    };
    const expr = build(n);
    if (group.length === 1) units.push({ kind: "op", node: n, inputs: n.inputs, outputs: [out.id] });
    else units.push({ kind: "fused", expr, inputs: leaves, outputs: [out.id], shape: out.shape, dtype: out.dtype, nodes: group });
  }
  return units;
}
