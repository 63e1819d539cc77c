/**
 * Movement ops: they rearrange elements without arithmetic. Gradients move dy back
 * (reshape back, transpose by the inverse permutation, sum over broadcast axes, ...).
 */
import { ShapeError } from "../errors.js";
import { broadcastShapes, shapeStr, sizeOf, validateShape } from "../shape.js";
import { reshape, sumTo } from "../api/movement.js";
import { defineOp } from "./def.js";
import { forEachBroadcast } from "./ref-util.js";

export const movementOps = {
  /** Same elements, new shape (sizes must match; the API resolves -1). d = reshape(dy, x.shape) */
  reshape: defineOp<{ shape: readonly number[] }>({
    name: "reshape",
    family: "movement",
    arity: 1,
    infer: ([x], a) => {
      const shape = validateShape(a.shape, "reshape");
      if (sizeOf(shape) !== sizeOf(x!.shape)) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x!.shape)} (${sizeOf(x!.shape)} elements) to ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
      return [{ shape, dtype: x!.dtype }];
    },
    ref: ([x], [y]) => y!.data.set(x!.data),
    saves: {},
    vjp: ([g], c) => [reshape(g!, c.inputSpecs[0]!.shape)],
    test: { cases: [{ shapes: [[3, 4]], attrs: { shape: [2, 6] } }, { shapes: [[]], attrs: { shape: [1, 1] } }, { shapes: [[0, 2]], attrs: { shape: [2, 0] } }] },
  }),

  /** Broadcast to a larger shape (NumPy rules). d = dy summed over the broadcast axes */
  broadcastTo: defineOp<{ shape: readonly number[] }>({
    name: "broadcastTo",
    family: "movement",
    arity: 1,
    infer: ([x], a) => {
      const shape = validateShape(a.shape, "broadcastTo");
      const b = broadcastShapes("broadcastTo", x!.shape, shape);
      if (b.length !== shape.length || b.some((d, i) => d !== shape[i])) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x!.shape)} to ${shapeStr(shape)}`);
      return [{ shape, dtype: x!.dtype }];
    },
    ref: ([x], [y]) => {
      const xs = x!.data;
      const o = y!.data;
      forEachBroadcast([x!], y!.shape, (i, off) => {
        o[i] = xs[off[0]!]!;
      });
    },
    saves: {},
    vjp: ([g], c) => [sumTo(g!, c.inputSpecs[0]!.shape)],
    test: { cases: [{ shapes: [[3, 1]], attrs: { shape: [2, 3, 4] } }, { shapes: [[]], attrs: { shape: [3] } }, { shapes: [[4]], attrs: { shape: [0, 4] } }] },
  }),
};

