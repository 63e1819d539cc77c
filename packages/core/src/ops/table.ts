/**
 * The op table: every primitive op, declared once. `OpName` and `Attrs<K>` are derived from
 * it, so backends' kernel tables, the tape, the tracer and the tests all agree at compile time.
 */
import type { OpDef } from "./def.js";
import { convOps } from "./conv.js";
import { elementwiseOps } from "./elementwise.js";
import { indexOps } from "./index-ops.js";
import { linalgOps } from "./linalg.js";
import { movementOps } from "./movement.js";
import { reduceOps } from "./reduce.js";

export const opTable = {
  ...elementwiseOps,
  ...reduceOps,
  ...movementOps,
  ...linalgOps,
  ...indexOps,
  ...convOps,
};

/** The name of a primitive op. */
export type OpName = keyof typeof opTable;
/** The attrs of op `K`. */
export type Attrs<K extends OpName> = (typeof opTable)[K] extends OpDef<infer A> ? A : never;
/** Every op name, in table order. */
export const opNames = Object.keys(opTable) as OpName[];

/** Ops every backend must run: their records have no decomposition. Derived from the table. */
export type RequiredOpName = { [K in OpName]: (typeof opTable)[K] extends { readonly decompose: Function } ? never : K }[OpName];
/** Ops that carry a decomposition into other ops; a backend may add a fast kernel for any of them. */
export type OptionalOpName = Exclude<OpName, RequiredOpName>;

/** The required ops, in table order (a first-party backend without one of these does not compile). */
export const requiredOps = opNames.filter((k) => opTable[k].decompose === undefined) as RequiredOpName[];
/** The optional ops, in table order: each runs as its decomposition where a backend has no kernel. */
export const optionalOps = opNames.filter((k) => opTable[k].decompose !== undefined) as OptionalOpName[];

/** Whether every backend must provide a kernel for `op` (false for optional and unknown ops). */
export function isRequired(op: string): op is RequiredOpName {
  return op in opTable && (opTable as Record<string, { decompose?: unknown }>)[op]!.decompose === undefined;
}
