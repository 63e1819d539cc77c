/**
 * sumTo: undo broadcasting by summing a gradient over the axes along which `shape` was
 * broadcast. The tape applies it to every gradient once, so gradient rules never do.
 */
import { ShapeError } from "../errors.js";
import { broadcastReductionAxes, shapesEqual, shapeStr, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { P } from "./primitives.js";

/** Sum `x` over the axes along which `shape` was broadcast to x's shape. */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return P.reshape(x, { shape });
  const axes = broadcastReductionAxes(shape, x.shape);
  const s = P.sum(x, { axes, keepDims: true });
  if (sizeOf(s.shape) !== sizeOf(shape)) {
    s.dispose();
    throw new ShapeError(`sumTo: cannot reduce ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  const out = P.reshape(s, { shape });
  s.dispose();
  return out;
}
