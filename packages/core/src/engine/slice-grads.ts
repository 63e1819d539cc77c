/**
 * Gradients of many slices of one tensor, gathered during a backward walk and assembled once.
 * Windows that tile one axis (unstack, split, per-step slices of a sequence) become a single
 * concat with zero gaps, so k slices of an n-element tensor cost O(n), not O(k * n). Other
 * windows (strided, overlapping, cut on several axes) fall back to one scatter per slice.
 */
import type { DType } from "../dtype.js";
import type { StridedSliceAttrs } from "../ops/movement.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { runOp } from "./dispatch.js";

interface Piece {
  readonly dy: Tensor;
  readonly begin: readonly number[];
  readonly strides: readonly number[];
}

/** Pending slice gradients per input tensor id. */
export class SliceGradients {
  private readonly pending = new Map<number, { shape: readonly number[]; dtype: DType; pieces: Piece[] }>();

  /** Defer the gradient `dy` of the slice `attrs` of the input `id` (of `shape` and `dtype`). */
  add(id: number, shape: readonly number[], dtype: DType, dy: Tensor, attrs: StridedSliceAttrs): void {
    let p = this.pending.get(id);
    if (!p) this.pending.set(id, (p = { shape, dtype, pieces: [] }));
    p.pieces.push({ dy, begin: attrs.begin, strides: attrs.strides });
  }

  /** Whether gradients wait for `id`. */
  has(id: number): boolean {
    return this.pending.size > 0 && this.pending.has(id);
  }

  /** The summed gradient of every slice of `id` (removed from the pending set), or null. */
  take(id: number): Tensor | null {
    const p = this.pending.get(id);
    if (!p) return null;
    this.pending.delete(id);
    return assemble(p.shape, p.dtype, p.pieces);
  }
}

/** The one axis every piece cuts (others full, unit stride), -1 when none exists, rank when no piece cuts. */
function tilingAxis(shape: readonly number[], pieces: readonly Piece[]): number {
  let axis = shape.length;
  for (const { dy, begin, strides } of pieces) {
    for (let d = 0; d < shape.length; d++) {
      const full = begin[d] === 0 && dy.shape[d] === shape[d] && (strides[d] === 1 || shape[d]! <= 1);
      if (full) continue;
      if (strides[d] !== 1 && dy.shape[d]! > 1) return -1;
      if (axis === shape.length) axis = d;
      else if (axis !== d) return -1;
    }
  }
  return axis;
}

function sumAll(ts: readonly Tensor[]): Tensor {
  let acc = ts[0]!;
  for (let i = 1; i < ts.length; i++) acc = runOp("add", [acc, ts[i]!], {})[0]!;
  return acc;
}

function assemble(shape: readonly number[], dtype: DType, pieces: readonly Piece[]): Tensor {
  const axis = sizeOf(shape) === 0 ? -1 : tilingAxis(shape, pieces);
  if (axis === shape.length) return sumAll(pieces.map((p) => p.dy));
  if (axis < 0) return sumAll(pieces.map((p) => runOp("stridedSliceGrad", [p.dy], { shape, begin: p.begin, strides: p.strides })[0]!));
  // Group equal windows (summed first), order them along the axis, then fill gaps with zeros.
  const windows = new Map<number, { begin: number; size: number; dys: Tensor[] }>();
  for (const p of pieces) {
    const size = p.dy.shape[axis]!;
    if (size === 0) continue;
    const begin = p.begin[axis]!;
    const key = begin * (shape[axis]! + 1) + size;
    const w = windows.get(key);
    if (w) w.dys.push(p.dy);
    else windows.set(key, { begin, size, dys: [p.dy] });
  }
  const sorted = [...windows.values()].sort((a, b) => a.begin - b.begin);
  const overlap = sorted.some((w, i) => i > 0 && w.begin < sorted[i - 1]!.begin + sorted[i - 1]!.size);
  // No window holds an element (empty slices): the scatter keeps the result connected to dy.
  if (overlap || sorted.length === 0) return sumAll(pieces.map((p) => runOp("stridedSliceGrad", [p.dy], { shape, begin: p.begin, strides: p.strides })[0]!));
  const parts: Tensor[] = [];
  const zeros = (n: number): Tensor => runOp("fill", [], { shape: shape.map((d, i) => (i === axis ? n : d)), dtype, value: 0 })[0]!;
  let cursor = 0;
  for (const w of sorted) {
    if (w.begin > cursor) parts.push(zeros(w.begin - cursor));
    parts.push(sumAll(w.dys));
    cursor = w.begin + w.size;
  }
  if (cursor < shape[axis]!) parts.push(zeros(shape[axis]! - cursor));
  return parts.length === 1 ? parts[0]! : runOp("concat", parts, { axis })[0]!;
}
