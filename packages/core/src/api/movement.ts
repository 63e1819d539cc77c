/**
 * Public movement ops (TF.js signatures): reshape (with -1), broadcastTo, and helpers that
 * other modules use to undo broadcasting.
 */
import { runOp } from "../engine/dispatch.js";
import { ShapeError } from "../errors.js";
import { broadcastReductionAxes, shapeStr, shapesEqual, sizeOf } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { toTensor } from "../engine/dispatch.js";

/** Resolve one -1 in a target shape against `size` elements. */
export function inferReshape(shape: readonly number[], size: number, where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array, got ${String(shape)}`);
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`${where}: at most one dimension may be -1, got ${shapeStr(shape)}`);
  if (unknown === 0) return [...shape];
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (known === 0 || size % known !== 0) throw new ShapeError(`${where}: cannot infer -1 in ${shapeStr(shape)} for ${size} elements`);
  return shape.map((d) => (d === -1 ? size / known : d));
}

/** Same elements in a new shape; one dimension may be -1. @example reshape([1, 2, 3, 4], [2, -1]) */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "reshape");
  const out = runOp("reshape", [t], { shape: inferReshape(shape, t.size, "reshape") })[0]!;
  if (t !== x) t.dispose();
  return out;
}

/** Broadcast to `shape` (NumPy rules). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  return runOp("broadcastTo", [x], { shape })[0]!;
}

/** Sum `x` over the axes along which `shape` was broadcast to x's shape. */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return runOp("reshape", [x], { shape })[0]!;
  const axes = broadcastReductionAxes(shape, x.shape);
  const s = runOp("sum", [x], { axes, keepDims: true })[0]!;
  if (sizeOf(s.shape) !== sizeOf(shape)) throw new ShapeError(`sumTo: cannot reduce ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const out = runOp("reshape", [s], { shape })[0]!;
  s.dispose();
  return out;
}

/** Tensor methods contributed by this module. */
export const movementMethods = { reshape, broadcastTo };
