/**
 * Graph passes over a traced program, each a pure function of the node list: dead-code
 * removal (keep what reaches an output or a variable write), common-subexpression merging
 * (same op, attrs and inputs), and the memory plan (the node after which each value dies).
 */
import type { TraceNode } from "./builder.js";

/** Nodes that contribute to `roots` (value ids), in their original order. */
export function removeDeadCode(nodes: readonly TraceNode[], roots: Iterable<number>): TraceNode[] {
  const live = new Set<number>(roots);
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => live.has(o.id))) continue;
    keep[i] = true;
    for (const id of n.inputs) live.add(id);
  }
  return nodes.filter((_, i) => keep[i]);
}

function attrsKey(attrs: unknown): string | null {
  try {
    return JSON.stringify(attrs ?? null);
  } catch {
    return null;
  }
}

/**
 * Merge nodes that apply the same op with the same attrs to the same inputs. Returns the kept
 * nodes (inputs rewritten) and the map from each dropped output id to the id that replaces it.
 */
export function mergeCommonSubexpressions(nodes: readonly TraceNode[]): { nodes: TraceNode[]; replaced: Map<number, number> } {
  const replaced = new Map<number, number>();
  const seen = new Map<string, TraceNode>();
  const out: TraceNode[] = [];
  for (const n of nodes) {
    const inputs = n.inputs.map((id) => replaced.get(id) ?? id);
    const a = attrsKey(n.attrs);
    const key = a === null ? null : `${n.op}|${a}|${inputs.join(",")}`;
    const prev = key === null ? undefined : seen.get(key);
    if (prev) {
      n.outputs.forEach((o, i) => replaced.set(o.id, prev.outputs[i]!.id));
      continue;
    }
    const kept: TraceNode = { ...n, inputs };
    if (key !== null) seen.set(key, kept);
    out.push(kept);
  }
  return { nodes: out, replaced };
}

/**
 * For each node, the value ids that die after it runs: values read for the last time there,
 * and outputs nobody reads. Values in `pinned` (program inputs, constants, outputs, variable
 * writes) never die inside a run.
 */
export function planLifetimes(nodes: readonly { readonly inputs: readonly number[]; readonly outputs: readonly number[] }[], pinned: ReadonlySet<number>): number[][] {
  const last = new Map<number, number>();
  nodes.forEach((n, i) => {
    for (const id of n.inputs) last.set(id, i);
    for (const o of n.outputs) if (!last.has(o)) last.set(o, i);
  });
  const frees: number[][] = nodes.map(() => []);
  for (const [id, i] of last) if (!pinned.has(id)) frees[i]!.push(id);
  return frees;
}
