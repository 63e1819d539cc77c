/**
 * Graph pass: a sum (a tree or chain of adds) of three or more 2-D matmuls with the same
 * transposes and dtype becomes one matmul over concatenated operands,
 * sum_i A_i B_i = [A_1 ... A_n] [B_1; ...; B_n], as weight gradients summed over time steps are.
 */
import { shapesEqual } from "../shape.js";
import type { DType } from "../dtype.js";
import { engine } from "../engine/engine.js";
import { opTable } from "../ops/table.js";
import type { TraceBuilder, TraceNode } from "./builder.js";

/** The fewest matmuls in one sum worth joining. */
export const MIN_MATMULS = 3;

type Spec = { readonly shape: readonly number[]; readonly dtype: DType };


/**
 * Rewrite every sum of at least {@link MIN_MATMULS} matmuls that only the sum reads (not in
 * `keep`: outputs and variable writes) into concat + one matmul (+ adds of the other terms).
 * `specOf` gives the shape and dtype of values that no node makes (arguments, variables,
 * constants). Returns the new node list (in a valid order) and how many sums were rewritten.
 */
export function joinMatmulSums(nodes: readonly TraceNode[], keep: ReadonlySet<number>, specOf: (id: number) => Spec | undefined): { nodes: TraceNode[]; joined: number } {
  const producer = new Map<number, number>();
  const reads = new Map<number, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) producer.set(o.id, i);
    for (const id of n.inputs) reads.set(id, (reads.get(id) ?? 0) + 1);
  });
  const spec = (id: number): Spec | undefined => {
    const p = producer.get(id);
    return p === undefined ? specOf(id) : nodes[p]!.outputs[0];
  };
  /** Read once, by the sum, and not kept: the value may disappear into the rewrite. */
  const internal = (id: number): boolean => reads.get(id) === 1 && !keep.has(id);
  /** An add whose inputs have its own shape and dtype (no broadcast, no promotion). */
  const plainAdd = (n: TraceNode): boolean => {
    if (n.op !== "add" || n.run || n.outputs.length !== 1) return false;
    const out = n.outputs[0]!;
    return n.inputs.every((id) => {
      const s = spec(id);
      return s !== undefined && s.dtype === out.dtype && shapesEqual(s.shape, out.shape);
    });
  };
  const is2dMatmul = (n: TraceNode): boolean => n.op === "matmul" && !n.run && n.inputs.every((id) => spec(id)?.shape.length === 2);

  const removed = new Set<number>();
  /** Adds already inside a walked tree: a subtree has no more matmuls to join than its tree. */
  const walked = new Set<number>();
  const insertAt = new Map<number, TraceNode[]>();
  let joined = 0;
  for (let r = nodes.length - 1; r >= 0; r--) {
    const root = nodes[r]!;
    if (walked.has(r) || !plainAdd(root)) continue;
    // The add tree under the root: adds read only inside it; its leaves are the summed terms.
    const adds: number[] = [];
    const leaves: number[] = [];
    const walk = (i: number): void => {
      adds.push(i);
      walked.add(i);
      for (const id of nodes[i]!.inputs) {
        const p = producer.get(id);
        if (p !== undefined && !removed.has(p) && internal(id) && plainAdd(nodes[p]!)) walk(p);
        else leaves.push(id);
      }
    };
    walk(r);
    // Group the matmul leaves read only by the tree by their transposes.
    const groups = new Map<string, number[]>();
    for (const id of leaves) {
      const p = producer.get(id);
      if (p === undefined || !internal(id) || !is2dMatmul(nodes[p]!)) continue;
      const a = nodes[p]!.attrs as { transposeA: boolean; transposeB: boolean };
      const key = `${a.transposeA}|${a.transposeB}`;
      const g = groups.get(key) ?? [];
      g.push(p);
      groups.set(key, g);
    }
    const joinable = [...groups.values()].filter((g) => g.length >= MIN_MATMULS);
    if (joinable.length === 0) continue;
    const out = root.outputs[0]!;
    const made: TraceNode[] = [];
    const terms: number[] = [];
    const fresh = (shape: readonly number[], dtype: DType) => ({ id: engine.nextTensorId++, shape, dtype });
    const joinedLeaves = new Set<number>();
    for (const g of joinable) {
      const mms = g.map((p) => nodes[p]!);
      const { transposeA, transposeB } = mms[0]!.attrs as { transposeA: boolean; transposeB: boolean };
      // Concatenate along the inner (k) dimension of each operand.
      const axisA = transposeA ? 0 : 1;
      const axisB = transposeB ? 1 : 0;
      const cat = (ids: number[], axis: number): number => {
        const first = spec(ids[0]!)!;
        const shape = [...first.shape];
        shape[axis] = ids.reduce((s, id) => s + spec(id)!.shape[axis]!, 0);
        const o = fresh(shape, first.dtype);
        made.push({ op: "concat", def: opTable.concat, inputs: ids, attrs: { axis }, outputs: [o] });
        return o.id;
      };
      const a = cat(mms.map((m) => m.inputs[0]!), axisA);
      const b = cat(mms.map((m) => m.inputs[1]!), axisB);
      const y = fresh(out.shape, out.dtype);
      made.push({ op: "matmul", def: opTable.matmul, inputs: [a, b], attrs: { transposeA, transposeB }, outputs: [y] });
      terms.push(y.id);
      for (const p of g) {
        removed.add(p);
        joinedLeaves.add(nodes[p]!.outputs[0]!.id);
      }
    }
    for (const id of leaves) if (!joinedLeaves.has(id)) terms.push(id);
    // Sum the terms in a chain; the last add writes the root's output id.
    let acc = terms[0]!;
    for (let t = 1; t < terms.length; t++) {
      const o = t === terms.length - 1 ? out : fresh(out.shape, out.dtype);
      made.push({ op: "add", def: opTable.add, inputs: [acc, terms[t]!], attrs: {}, outputs: [o] });
      acc = o.id;
    }
    if (terms.length === 1) {
      // Only the joined matmul remains: it writes the root's output id.
      const last = made[made.length - 1]!;
      made[made.length - 1] = { ...last, outputs: [out] };
    }
    for (const i of adds) removed.add(i);
    insertAt.set(r, made);
    joined++;
  }
  if (joined === 0) return { nodes: [...nodes], joined };
  const result: TraceNode[] = [];
  nodes.forEach((n, i) => {
    const made = insertAt.get(i);
    if (made) result.push(...made);
    else if (!removed.has(i)) result.push(n);
  });
  return { nodes: result, joined };
}

/** The shape and dtype of a value of `b` that no node makes: an argument, a variable, a constant or a host scalar. */
export function specOfInput(b: TraceBuilder, id: number): Spec | undefined {
  const t = b.args.find((a) => a.id === id) ?? b.varsRead.find((v) => v.id === id) ?? b.constants.get(id);
  if (t) return t;
  const h = b.host.find((s) => s.kind === "scalar" && s.id === id);
  return h && h.kind === "scalar" ? { shape: [], dtype: h.dtype } : undefined;
}
