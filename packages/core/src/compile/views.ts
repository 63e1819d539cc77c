/**
 * Ops a compiled program runs without a kernel: a reshape of a contiguous value is the same
 * storage under a new shape (one more reference to it, no copy, no allocation). Storage is
 * never written in place once made, so sharing it is safe; variables already share this way.
 */
import { currentFrame } from "../engine/context.js";
import { engine } from "../engine/engine.js";
import { noteOp } from "../engine/placement.js";
import { opTable } from "../ops/table.js";
import { Tensor } from "../tensor.js";
import type { TraceNode } from "./builder.js";

/** The output of `node` as a view of `inputs`, or null when it must run as an op (also while a profiler observes ops). */
export function runAsView(node: TraceNode, inputs: readonly Tensor[]): Tensor | null {
  if (node.op !== "reshape" || node.run || engine.opObserver !== null) return null;
  const x = inputs[0]!;
  const [spec] = opTable.reshape.infer([x], node.attrs as never);
  const s = x._live("reshape");
  s.retain();
  noteOp("reshape", s.backend.name);
  const frame = currentFrame();
  return new Tensor(s, spec!.shape, x.dtype, x._placed || frame.device !== null, frame.tidy);
}
