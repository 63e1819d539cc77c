/**
 * How the debugging tools see a compiled program's fused kernels: each fused or epilogue unit
 * is shown to the op observer as one op named after the ops it runs (`fused[mul>add]`,
 * `epilogue[matmul>add>relu]`) whose kernel path is "fused program".
 */
import type { OpDef } from "../ops/def.js";
import type { Unit } from "./fusion.js";
import { unitViewOps } from "./fused-views.js";

/** The kernel path the tools report for a fused kernel. */
export const FUSED_PATH = "fused program";

const defs = new WeakMap<Unit, OpDef<any>>();

/** The op record the observer gets for a fused or epilogue unit (one per unit). */
export function unitDef(u: Unit & { kind: "fused" | "epilogue" }): OpDef<any> {
  let d = defs.get(u);
  if (!d) {
    const tail = [...unitViewOps(u), ...u.nodes.map((n) => n.op)];
    const ops = u.kind === "epilogue" ? [u.head.op, ...tail] : tail;
    d = { name: `${u.kind}[${ops.join(">")}]`, kernelPath: FUSED_PATH } as unknown as OpDef<any>;
    defs.set(u, d);
  }
  return d;
}
