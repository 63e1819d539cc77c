/**
 * Building a backend's kernel table per family without restating op names: one kernel per key
 * of a map the backend already has (expressions by op, reduce specs by op), typed by those keys
 * so the table's completeness check sees exactly which ops the family covers.
 */
import type { OpName } from "./ops/table.js";

/**
 * `{ [op]: make(op) }` for every key of `byOp`, keyed and typed by those keys.
 * @example kernelsFor(unaryCode, (op) => unaryKernel(ctx, op)) // { neg: ..., abs: ..., ... }
 */
export function kernelsFor<K extends OpName, V>(byOp: { readonly [P in K]?: unknown }, make: (op: K) => V): { [P in K]: V } {
  const out = {} as { [P in K]: V };
  for (const op of Object.keys(byOp) as K[]) out[op] = make(op);
  return out;
}
