/**
 * Ops a compiled program runs without a kernel: a reshape of a contiguous value is the same
 * storage under a new shape (one more reference to it, no copy, no allocation). Storage is
 * never written in place once made, so sharing it is safe; variables already share this way.
 */
import { shapesEqual } from "../shape.js";
import type { Frame } from "../engine/context.js";
import { engine } from "../engine/engine.js";
import { noteOp } from "../engine/placement.js";
import { opTable } from "../ops/table.js";
import { Tensor } from "../tensor.js";
import type { TraceNode } from "./builder.js";

/** The last shapes a view step saw: its input's, and the output shape the shape rule gave for it. */
interface ViewShapes {
  readonly input: readonly number[];
  readonly output: readonly number[];
}

/** What a program keeps per step for its views (indexed by step; one per program). */
export type ViewMemo = (ViewShapes | undefined)[];

/** Whether `node` may run as a view of its input (`runAsView` still declines while a profiler observes ops). */
export function isViewNode(node: TraceNode): boolean {
  return node.op === "reshape" && !node.run;
}


/**
 * The output of `node` (a view node) as a view of `inputs`, or null when it must run as an op
 * (while a profiler observes ops). `frame` is the frame in force; `memo[at]` holds the step's last
 * shapes, so an input shape seen before skips the shape rule.
 */
export function runAsView(node: TraceNode, inputs: readonly Tensor[], frame: Frame, memo: ViewMemo, at: number): Tensor | null {
  if (engine.opObserver !== null) return null;
  const x = inputs[0]!;
  let seen = memo[at];
  if (seen === undefined || !shapesEqual(seen.input, x.shape)) {
    const [spec] = opTable.reshape.infer([x], node.attrs as never);
    memo[at] = seen = { input: x.shape, output: spec!.shape };
  }

  const s = x._live("reshape");
  s.retain();
  noteOp("reshape", s.backend.name);
  return new Tensor(s, seen.output, x.dtype, x._placed || frame.device !== null, frame.tidy);
}
