/**
 * Reductions over axes (`axes` is always an explicit sorted list in attrs; the public API
 * normalizes `axis` and negative values). Gradients broadcast dy back over the reduced axes.
 */
import { DTypeError } from "../errors.js";
import { normalizeAxes } from "../shape.js";
import { broadcastTo, reshape } from "../api/movement.js";
import type { Tensor } from "../tensor.js";
import { defineOp, type TensorSpec } from "./def.js";
import { reduceAxes } from "./ref-util.js";

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** Output shape of a reduction. */
export function reducedShape(x: TensorSpec, a: ReduceAttrs, op: string): number[] {
  const axes = normalizeAxes(a.axes, x.shape.length, op);
  return a.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** dy reshaped so it broadcasts against the input (reduced axes kept as 1). */
export function keepDimsGrad(dy: Tensor, inputShape: readonly number[], axes: readonly number[]): Tensor {
  return reshape(dy, inputShape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

const REDUCE_CASES = [
  { shapes: [[3, 4]], attrs: { axes: [1], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [0, 1], keepDims: false } },
  { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: true } },
  { shapes: [[]], attrs: { axes: [], keepDims: false } },
  { shapes: [[0, 3]], attrs: { axes: [0], keepDims: false } },
] as const;

export const reduceOps = {
  /** Sum over axes. d = broadcast(dy) */
  sum: defineOp<ReduceAttrs>({
    name: "sum",
    family: "reduce",
    arity: 1,
    infer: ([x], a) => {
      if (x!.dtype === "bool") throw new DTypeError("sum: bool input; cast it to int32 or float32 first");
      return [{ shape: reducedShape(x!, a, "sum"), dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => reduceAxes(x!, a.axes, y!, () => 0, (acc, v) => acc + v, (acc) => acc),
    saves: {},
    vjp: ([g], c) => [broadcastTo(keepDimsGrad(g!, c.inputSpecs[0]!.shape, c.attrs.axes), c.inputSpecs[0]!.shape)],
    test: { cases: REDUCE_CASES },
  }),
};
