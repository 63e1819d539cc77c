/**
 * Public movement ops (TF.js signatures). Each normalizes its arguments (negative axes and
 * indices, -1 sizes, masks, defaults) into the explicit attrs of a primitive; expandDims,
 * squeeze, stack, unstack, split, tile and reverse are compositions of primitives.
 * Temporaries made from plain values or intermediate steps are disposed before returning.
 */
import { runOp, toTensor } from "../engine/dispatch.js";
import { AxisError, InvalidArgumentError, ShapeError } from "../errors.js";
import { broadcastReductionAxes, normalizeAxes, normalizeAxis, shapeStr, shapesEqual, sizeOf } from "../shape.js";
import { promoteTypes, type DType } from "../dtype.js";
import { Tensor, type TensorLike } from "../tensor.js";

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

/** Run `f` on `x` as a tensor, disposing the conversion of a plain value afterwards. */
function withTensor<R>(x: TensorLike, where: string, f: (t: Tensor) => R): R {
  const t = toTensor(x, where);
  try {
    return f(t);
  } finally {
    if (t !== x) t.dispose();
  }
}

/** Return `out` after disposing the intermediates of a composite. */
function done<T>(out: T, ...temps: readonly Tensor[]): T {
  for (const t of temps) t.dispose();
  return out;
}

const reshapeTo = (t: Tensor, shape: readonly number[]): Tensor => runOp("reshape", [t], { shape })[0]!;

function integers(v: unknown, where: string, name: string): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || !list.every((d) => typeof d === "number" && Number.isInteger(d)))
    throw new InvalidArgumentError(`${where}: ${name} must be an integer or a list of integers, got ${JSON.stringify(v)}`);
  return list;
}

/** Same elements in a new shape; one dimension may be -1. @example reshape([1, 2, 3, 4], [2, -1]) */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  return withTensor(x, "reshape", (t) => reshapeTo(t, inferReshape(shape, t.size, "reshape")));
}

/** Broadcast to `shape` (NumPy rules). @example broadcastTo([1, 2], [3, 2]) */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  return runOp("broadcastTo", [x], { shape })[0]!;
}

export { sumTo } from "../ops/sum-to.js";

/**
 * Permute the axes: y.shape[i] = x.shape[perm[i]]. Default: reverse the axes.
 * @example transpose([[1, 2, 3], [4, 5, 6]]) // [[1, 4], [2, 5], [3, 6]]
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  return withTensor(x, "transpose", (t) => {
    const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : integers(perm, "transpose", "perm");
    if (p.length !== t.rank) throw new AxisError(`transpose: perm ${JSON.stringify(perm)} has ${p.length} entries but x ${shapeStr(t.shape)} has rank ${t.rank}`);
    return runOp("transpose", [t], { perm: p.map((a) => normalizeAxis(a, t.rank, "transpose")) })[0]!;
  });
}

/** Insert a dimension of size 1 at `axis` (in [-(rank+1), rank]). @example expandDims([1, 2], 1) // shape [2, 1] */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  return withTensor(x, "expandDims", (t) => {
    const a = normalizeAxis(axis, t.rank + 1, "expandDims");
    return reshapeTo(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]);
  });
}

/** Remove dimensions of size 1 (only those in `axis` when given). @example squeeze(zeros([1, 3, 1])) // shape [3] */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  return withTensor(x, "squeeze", (t) => {
    const axes = axis === undefined ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(axis, t.rank, "squeeze");
    for (const a of axes) if (t.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of x ${shapeStr(t.shape)} has size ${t.shape[a]}, not 1`);
    return reshapeTo(t, t.shape.filter((_, i) => !axes.includes(i)));
  });
}

/**
 * The block of `size` elements starting at `begin`. A number `begin` or `size` applies to
 * axis 0; missing trailing entries are 0 (begin) or -1 (size: to the end).
 * @example slice([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1]) // [[2, 3], [5, 6]]
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  return withTensor(x, "slice", (t) => {
    const b = integers(begin, "slice", "begin");
    const s = size === undefined ? [] : integers(size, "slice", "size");
    if (b.length > t.rank || s.length > t.rank)
      throw new InvalidArgumentError(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} may have at most ${t.rank} entries for x ${shapeStr(t.shape)}`);
    const b2 = t.shape.map((d, i) => {
      const v = b[i] ?? 0;
      if (v < 0 || v > d) throw new InvalidArgumentError(`slice: begin[${i}] = ${v} is outside [0, ${d}] for x ${shapeStr(t.shape)}`);
      return v;
    });
    const s2 = t.shape.map((d, i) => {
      const v = s[i] ?? -1;
      const n = v === -1 ? d - b2[i]! : v;
      if (n < 0 || b2[i]! + n > d)
        throw new InvalidArgumentError(`slice: size[${i}] = ${v} with begin[${i}] = ${b2[i]} exceeds axis ${i} of x ${shapeStr(t.shape)} (sizes are >= 0, or -1 for the rest)`);
      return n;
    });
    return runOp("stridedSlice", [t], { begin: s2.map((n, i) => (n === 0 ? 0 : b2[i]!)), size: s2, strides: s2.map(() => 1) })[0]!;
  });
}

const bitSet = (mask: number, i: number): boolean => Math.floor(mask / 2 ** i) % 2 === 1;

/** The primitive window and the final shape of a TF strided slice. */
interface ResolvedSlice {
  readonly begin: number[];
  readonly size: number[];
  readonly strides: number[];
  readonly shape: number[];
}

function resolveStridedSlice(
  shape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  beginMask: number,
  endMask: number,
  ellipsisMask: number,
  newAxisMask: number,
  shrinkAxisMask: number,
): ResolvedSlice {
  const where = "stridedSlice";
  const n = begin.length;
  if (end.length !== n || strides.length !== n)
    throw new InvalidArgumentError(`${where}: begin, end and strides must have the same length, got ${n}, ${end.length} and ${strides.length}`);
  for (const [name, m] of [["beginMask", beginMask], ["endMask", endMask], ["ellipsisMask", ellipsisMask], ["newAxisMask", newAxisMask], ["shrinkAxisMask", shrinkAxisMask]] as const)
    if (!Number.isInteger(m) || m < 0) throw new InvalidArgumentError(`${where}: ${name} must be an integer bit mask >= 0, got ${m}`);
  const ellipses = begin.filter((_, j) => bitSet(ellipsisMask, j)).length;
  if (ellipses > 1) throw new InvalidArgumentError(`${where}: ellipsisMask ${ellipsisMask} sets more than one ellipsis`);
  const rank = shape.length;
  let consumed = 0;
  for (let j = 0; j < n; j++) if (!bitSet(ellipsisMask, j) && !bitSet(newAxisMask, j)) consumed++;
  if (consumed > rank)
    throw new InvalidArgumentError(`${where}: begin ${JSON.stringify(begin)} indexes ${consumed} axes but x ${shapeStr(shape)} has rank ${rank}`);
  const out: ResolvedSlice = { begin: [], size: [], strides: [], shape: [] };
  let axis = 0;
  const full = (): void => {
    out.begin.push(0);
    out.size.push(shape[axis]!);
    out.strides.push(1);
    out.shape.push(shape[axis]!);
    axis++;
  };
  for (let j = 0; j < n; j++) {
    if (bitSet(ellipsisMask, j)) {
      for (let k = rank - consumed; k > 0; k--) full();
      continue;
    }
    if (bitSet(newAxisMask, j)) {
      out.shape.push(1);
      continue;
    }
    const d = shape[axis]!;
    const s = strides[j]!;
    if (s === 0) throw new InvalidArgumentError(`${where}: strides[${j}] is 0; strides must be non-zero`);
    if (bitSet(shrinkAxisMask, j)) {
      const b = begin[j]! < 0 ? begin[j]! + d : begin[j]!;
      if (b < 0 || b >= d) throw new InvalidArgumentError(`${where}: begin[${j}] = ${begin[j]} is out of range for axis ${axis} of x ${shapeStr(shape)} (shrinkAxisMask)`);
      out.begin.push(b);
      out.size.push(1);
      out.strides.push(1);
      axis++;
      continue;
    }
    // TF: negative indices count from the end, then clamp to [0, d] (stride > 0) or [-1, d-1].
    const [lo, hi] = s > 0 ? [0, d] : [-1, d - 1];
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const b = bitSet(beginMask, j) ? (s > 0 ? lo : hi) : clamp(begin[j]!);
    const e = bitSet(endMask, j) ? (s > 0 ? hi : lo) : clamp(end[j]!);
    const size = Math.max(0, Math.ceil((e - b) / s));
    out.begin.push(size === 0 ? 0 : b);
    out.size.push(size);
    out.strides.push(s);
    out.shape.push(size);
    axis++;
  }
  while (axis < rank) full();
  return out;
}

/**
 * TF's strided slice: per axis, elements begin, begin + stride, ... up to (not including) end.
 * Negative begin/end count from the end; negative strides walk backwards. Bit i of a mask
 * refers to entry i: beginMask/endMask ignore begin[i]/end[i] (full range), ellipsisMask
 * stands for all remaining axes, newAxisMask inserts an axis of size 1, shrinkAxisMask takes
 * the single index begin[i] and drops the axis.
 * @example stridedSlice([0, 1, 2, 3, 4], [-1], [0], [-2]) // [4, 2]
 */
export function stridedSlice(
  x: TensorLike,
  begin: readonly number[],
  end: readonly number[],
  strides?: readonly number[],
  beginMask = 0,
  endMask = 0,
  ellipsisMask = 0,
  newAxisMask = 0,
  shrinkAxisMask = 0,
): Tensor {
  return withTensor(x, "stridedSlice", (t) => {
    const b = integers(begin, "stridedSlice", "begin");
    const e = integers(end, "stridedSlice", "end");
    const s = strides === undefined ? b.map(() => 1) : integers(strides, "stridedSlice", "strides");
    const r = resolveStridedSlice(t.shape, b, e, s, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
    const y = runOp("stridedSlice", [t], { begin: r.begin, size: r.size, strides: r.strides })[0]!;
    return shapesEqual(y.shape, r.shape) ? y : done(reshapeTo(y, r.shape), y);
  });
}

/**
 * The gradient of stridedSlice as an op: zeros of `shape` with dy written at begin + i * strides
 * (normalized window: begin inside `shape`, one stride per axis).
 * @example stridedSliceGrad([1, 2], [5], [4], [-2]) // [0, 0, 2, 0, 1]
 */
export function stridedSliceGrad(dy: TensorLike, shape: readonly number[], begin: readonly number[], strides: readonly number[]): Tensor {
  return runOp("stridedSliceGrad", [dy], { shape, begin, strides })[0]!;
}

/** Convert a list of tensors or values to tensors of one dtype hint; returns the conversions to dispose. */
function tensorList(xs: readonly TensorLike[], where: string): [Tensor[], Tensor[]] {
  if (!Array.isArray(xs) || xs.length === 0) throw new InvalidArgumentError(`${where}: expected a non-empty list of tensors`);
  let hint: DType | undefined;
  for (const x of xs) if (x instanceof Tensor) hint = hint ? promoteTypes(hint, x.dtype) : x.dtype;
  const temps: Tensor[] = [];
  const ts = xs.map((x, i) => {
    const t = toTensor(x, `${where} (tensor ${i})`, hint);
    if (t !== x) temps.push(t);
    return t;
  });
  return [ts, temps];
}

/**
 * Join tensors along an existing axis.
 * @example concat([[[1, 2]], [[3, 4]]], 0) // [[1, 2], [3, 4]]
 */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  const [ts, temps] = tensorList(tensors, "concat");
  try {
    const rank = ts[0]!.rank;
    if (rank === 0) throw new ShapeError("concat: tensors must have rank >= 1, got scalars; use stack to join scalars");
    return runOp("concat", ts, { axis: normalizeAxis(axis, rank, "concat") })[0]!;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/**
 * Join tensors of one shape along a new axis.
 * @example stack([[1, 2], [3, 4]], 1) // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  const [ts, temps] = tensorList(tensors, "stack");
  try {
    const first = ts[0]!;
    ts.forEach((t, i) => {
      if (!shapesEqual(t.shape, first.shape))
        throw new ShapeError(`stack: tensor ${i} has shape ${shapeStr(t.shape)} but tensor 0 has ${shapeStr(first.shape)}; stacked tensors must have one shape`);
    });
    const a = normalizeAxis(axis, first.rank + 1, "stack");
    const expanded = ts.map((t) => reshapeTo(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]));
    return done(runOp("concat", expanded, { axis: a })[0]!, ...expanded);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** The pieces of `x` along `axis`, lengths `sizes`, as slices. */
function pieces(t: Tensor, a: number, sizes: readonly number[], drop: boolean): Tensor[] {
  let offset = 0;
  return sizes.map((n) => {
    const begin = t.shape.map((_, d) => (d === a && n > 0 ? offset : 0));
    const size = t.shape.map((d, i) => (i === a ? n : d));
    offset += n;
    const y = runOp("stridedSlice", [t], { begin, size, strides: size.map(() => 1) })[0]!;
    return drop ? done(reshapeTo(y, t.shape.filter((_, i) => i !== a)), y) : y;
  });
}

/**
 * The slices of `x` along `axis`, with that axis removed.
 * @example unstack([[1, 2], [3, 4]]) // [[1, 2], [3, 4]] as two rank-1 tensors
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  return withTensor(x, "unstack", (t) => {
    if (t.rank === 0) throw new AxisError("unstack: x is a scalar; it needs rank >= 1");
    const a = normalizeAxis(axis, t.rank, "unstack");
    return pieces(t, a, new Array<number>(t.shape[a]!).fill(1), true);
  });
}

/**
 * Split `x` along `axis` into `numOrSizeSplits` equal parts, or parts of the listed sizes
 * (one of them may be -1: the rest).
 * @example split([1, 2, 3, 4, 5], [2, -1]) // [[1, 2], [3, 4, 5]]
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  return withTensor(x, "split", (t) => {
    if (t.rank === 0) throw new AxisError("split: x is a scalar; it needs rank >= 1");
    const a = normalizeAxis(axis, t.rank, "split");
    const d = t.shape[a]!;
    let sizes: number[];
    if (typeof numOrSizeSplits === "number") {
      const k = numOrSizeSplits;
      if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`split: the number of splits must be an integer >= 1, got ${k}`);
      if (d % k !== 0) throw new ShapeError(`split: ${k} splits do not evenly divide axis ${a} of size ${d} (x ${shapeStr(t.shape)})`);
      sizes = new Array<number>(k).fill(d / k);
    } else {
      sizes = integers(numOrSizeSplits, "split", "numOrSizeSplits");
      const unknown = sizes.filter((v) => v === -1).length;
      if (unknown > 1 || sizes.some((v) => v < -1)) throw new InvalidArgumentError(`split: sizes ${JSON.stringify(sizes)} must be >= 0, with at most one -1`);
      const known = sizes.reduce((s, v) => (v === -1 ? s : s + v), 0);
      if (unknown === 1 && known <= d) sizes = sizes.map((v) => (v === -1 ? d - known : v));
      else if (known !== d)
        throw new ShapeError(`split: sizes ${JSON.stringify(numOrSizeSplits)} ${unknown ? "exceed" : "do not sum to"} axis ${a} of size ${d} (x ${shapeStr(t.shape)})`);
    }
    return pieces(t, a, sizes, false);
  });
}

/**
 * Pad each axis with paddings[d] = [before, after] elements of `constantValue`.
 * @example pad([1, 2], [[1, 2]]) // [0, 1, 2, 0, 0]
 */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
  const list = Array.isArray(paddings) ? paddings.map((p) => (Array.isArray(p) ? ([p[0], p[1]] as const) : p)) : paddings;
  return runOp("pad", [x], { paddings: list, constantValue })[0]!;
}

/**
 * Repeat `x` reps[d] times along each axis d.
 * @example tile([1, 2], [3]) // [1, 2, 1, 2, 1, 2]
 */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  return withTensor(x, "tile", (t) => {
    const r = integers(reps, "tile", "reps");
    if (r.length !== t.rank || r.some((v) => v < 0))
      throw new InvalidArgumentError(`tile: reps ${JSON.stringify(reps)} must have one integer >= 0 per axis of x ${shapeStr(t.shape)}`);
    // Interleave: x as [1, d0, 1, d1, ...], broadcast to [r0, d0, r1, d1, ...], merge pairs.
    const lifted = reshapeTo(t, t.shape.flatMap((d) => [1, d]));
    const wide = done(runOp("broadcastTo", [lifted], { shape: t.shape.flatMap((d, i) => [r[i]!, d]) })[0]!, lifted);
    return done(reshapeTo(wide, t.shape.map((d, i) => d * r[i]!)), wide);
  });
}

/**
 * Reverse the order of elements along `axis` (all axes when omitted).
 * @example reverse([[1, 2], [3, 4]], 1) // [[2, 1], [4, 3]]
 */
export function reverse(x: TensorLike, axis?: number | readonly number[]): Tensor {
  return withTensor(x, "reverse", (t) => {
    const axes = normalizeAxes(axis, t.rank, "reverse");
    const flip = (i: number): boolean => axes.includes(i) && t.shape[i]! > 0;
    return runOp("stridedSlice", [t], {
      begin: t.shape.map((d, i) => (flip(i) ? d - 1 : 0)),
      size: [...t.shape],
      strides: t.shape.map((_, i) => (flip(i) ? -1 : 1)),
    })[0]!;
  });
}

/** Tensor methods contributed by this module. */
export const movementMethods = { reshape, broadcastTo, transpose, expandDims, squeeze, slice, stridedSlice, split, unstack, pad, tile, reverse };
