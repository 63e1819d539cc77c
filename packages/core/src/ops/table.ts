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
