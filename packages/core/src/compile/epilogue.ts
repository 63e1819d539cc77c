/**
 * Epilogue fusion: a head op (matmul, conv2d or a reduction) whose only reader is an elementwise
 * unit of the same output shape and dtype becomes one unit with that unit's expression as its
 * tail (input 0 = the head's value). Runs after elementwise fusion, on its units; a head whose
 * value is pinned (a program output or a variable write) or read twice is left alone.
 */
import { shapesEqual } from "../shape.js";
import type { DType } from "../dtype.js";
import { node, rewrite, type Expr, type IrDType } from "../ir/expr.js";
import type { OpName } from "../ops/table.js";
import type { TraceNode } from "./builder.js";
import { fusible, nodeExpr, type Unit } from "./fusion.js";

/**
 * The ops whose output may carry an elementwise tail fused into their kernel
 * (`Backend.fusedEpilogue`); a backend may decline any of them.
 */
export const epilogueHeads: readonly OpName[] = ["matmul", "conv2d", "sum", "max", "mean"];

const IR_DTYPES: ReadonlySet<string> = new Set(["float32", "float64", "int32", "bool"]);

type Specs = ReadonlyMap<number, { shape: readonly number[]; dtype: DType }>;


/** An elementwise unit's expression over its inputs (leaf k = `inputs[k]`), or null for other units. */
function tailOf(u: Unit, specs: Specs): { expr: Expr; inputs: readonly number[]; nodes: readonly TraceNode[] } | null {
  if (u.kind === "fused") return { expr: u.expr, inputs: u.inputs, nodes: u.nodes };
  if (u.kind !== "op" || !fusible(u.node) || u.node.run) return null;
  return { expr: nodeExpr(u.node, u.node.inputs.map((id) => specs.get(id)!.dtype)), inputs: u.node.inputs, nodes: [u.node] };
}

/**
 * Merge each head op with the elementwise unit that alone reads its output. `pinned` values
 * (outputs, variable writes) keep their producer; `specs` gives every value's shape and dtype.
 */
export function fuseEpilogues(units: readonly Unit[], pinned: ReadonlySet<number>, specs: Specs): Unit[] {
  const readers = new Map<number, number>();
  for (const u of units) for (const id of u.inputs) readers.set(id, (readers.get(id) ?? 0) + 1);
  const readerOf = new Map<number, number>();
  units.forEach((u, i) => {
    for (const id of u.inputs) readerOf.set(id, i);
  });
  const merged = new Map<number, Unit>(); // tail unit index -> its epilogue unit
  const absorbed = new Set<number>(); // head unit indices
  units.forEach((u, i) => {
    if (u.kind !== "op" || u.node.run || u.node.outputs.length !== 1 || !epilogueHeads.includes(u.node.op)) return;
    const out = u.node.outputs[0]!;
    if (pinned.has(out.id) || readers.get(out.id) !== 1 || !IR_DTYPES.has(out.dtype)) return;
    const j = readerOf.get(out.id)!;
    if (merged.has(j)) return;
    const tail = tailOf(units[j]!, specs);
    const t = units[j]!;
    if (tail === null || t.outputs.length !== 1) return;
    const res = specs.get(t.outputs[0]!)!;
    if (res.dtype !== out.dtype || !shapesEqual(res.shape, out.shape)) return;
    const k = tail.inputs.indexOf(out.id);
    if (k < 0 || tail.inputs.lastIndexOf(out.id) !== k) return;
    // Leaf k becomes input 0; the leaves before it move up by one.
    const expr = rewrite(tail.expr, (x) => {
      if (x.op !== "input") return x;
      const idx = x.index!;
      return node("input", x.dtype as IrDType, [], { index: idx === k ? 0 : idx < k ? idx + 1 : idx });
    });
    const extras = tail.inputs.filter((_, m) => m !== k);
    merged.set(j, { kind: "epilogue", head: u.node, expr, inputs: [...u.node.inputs, ...extras], outputs: t.outputs, shape: out.shape, dtype: out.dtype, nodes: tail.nodes });
    absorbed.add(i);
  });
  return units.flatMap((u, i) => (absorbed.has(i) ? [] : [merged.get(i) ?? u]));
}
