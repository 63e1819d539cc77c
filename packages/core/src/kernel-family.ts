/**
 * Building a backend's kernel table per family without restating op names: one kernel per key
 * of a map the backend already has (expressions by op, reduce specs by op), typed by those keys
 * so the table's completeness check sees exactly which ops the family covers.
 */
import type { OpName } from "./ops/table.js";

/**
 * `{ [op]: make(op) }` for every op of `ops` (a list of op names, or a map keyed by them),
 * keyed and typed by those names.
 * @example kernelsFor(unaryCode, (op) => unaryKernel(ctx, op)) // { neg: ..., abs: ..., ... }
 * @example kernelsFor(["argMax", "argMin"] as const, (op) => argKernel(rt, op))
 */
export function kernelsFor<K extends OpName, V>(ops: readonly K[] | { readonly [P in K]?: unknown }, make: (op: K) => V): { [P in K]: V } {
  const out = {} as { [P in K]: V };
  for (const op of (Array.isArray(ops) ? ops : Object.keys(ops)) as K[]) out[op] = make(op);
  return out;
}
