/**
 * Shape arithmetic shared by the op table, the tape and every backend: sizes, strides,
 * NumPy broadcasting, axis normalization. Pure functions on number arrays; no tensors here.
 */
import { AxisError, InvalidArgumentError, ShapeError } from "./errors.js";

export type Shape = readonly number[];

/** The largest element count one tensor may hold (2^31 - 1: typed arrays index with int32). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws unless every dimension is a non-negative integer and the total size fits. */
export function validateShape(shape: Shape, where: string): number[] {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`${where}: shape must be an array of integers, got ${String(shape)}`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0)
      throw new InvalidArgumentError(`${where}: shape ${shapeStr(shape)} has an invalid dimension ${String(d)}; dimensions are integers >= 0`);
    n *= d;
  }
  if (n > MAX_ELEMENTS)
    throw new InvalidArgumentError(`${where}: shape ${shapeStr(shape)} has ${n} elements, more than the limit of ${MAX_ELEMENTS}`);
  return [...shape];
}

/** NumPy broadcasting of two shapes (the hot path of every binary op; no rest arguments). */
export function broadcastPair(where: string, a: Shape, b: Shape): number[] {
  const ra = a.length;
  const rb = b.length;
  if (ra === rb) {
    let same = true;
    for (let i = 0; i < ra; i++) if (a[i] !== b[i]) same = false;
    if (same) return a.slice();
  }
  return broadcastShapes(where, a, b);
}

/** NumPy broadcasting of two or more shapes. */
export function broadcastShapes(where: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1)
        throw new ShapeError(`${where}: shapes ${shapes.map(shapeStr).join(" and ")} cannot be broadcast together (dimension ${o - rank} is ${out[o]} vs ${d})`);
    }
  }
  return out;
}

/** Map a possibly negative axis into [0, rank). */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  // A scalar is treated as one element along axis 0 (so 0 and -1 both name it).
  const r = Math.max(rank, 1);
  if (!Number.isInteger(axis)) throw new AxisError(`${where}: axis ${JSON.stringify(axis) ?? String(axis)} is not an integer`);
  if (axis < -r || axis >= r) throw new AxisError(`${where}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  return axis < 0 ? axis + r : axis;
}

/** Normalize an axis argument (undefined = all axes) into a sorted unique list. */
export function normalizeAxes(axis: number | readonly number[] | undefined | null, rank: number, where: string): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list: unknown[] = Array.isArray(axis) ? [...axis] : [axis];
  const out = list.map((a) => {
    if (typeof a !== "number" || !Number.isInteger(a)) throw new AxisError(`${where}: axis ${JSON.stringify(a) ?? String(a)} is not an integer`);
    if (a < -rank || a >= rank) throw new AxisError(`${where}: axis ${a} is out of range for a tensor of rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) throw new AxisError(`${where}: repeated axis in ${JSON.stringify(list)}`);
  return out.sort((x, y) => x - y);
}

/**
 * For an output index `outIndex` of shape `outShape`, the flat index into an input of shape
 * `inShape` broadcast to it. Used by reference kernels; backends precompute strides instead.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    return j < 0 || inShape[j] === 1 ? 0 : strides[j]!;
  });
}

/**
 * `broadcastStrides` for a kernel input that may be a strided view (`KernelTensor.strides`):
 * its element strides over `outShape`'s axes, 0 along broadcast axes.
 */
export function viewBroadcastStrides(t: { readonly shape: Shape; readonly strides?: readonly number[] }, outShape: Shape): number[] {
  if (!t.strides) return broadcastStrides(t.shape, outShape);
  const st = t.strides;
  const off = outShape.length - t.shape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    return j < 0 || t.shape[j] === 1 ? 0 : st[j]!;
  });
}

/** Axes of `outShape` that were broadcast from `inShape` (to sum a gradient back). */
export function broadcastReductionAxes(inShape: Shape, outShape: Shape): number[] {
  const off = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const j = i - off;
    if (j < 0 || (inShape[j] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}
