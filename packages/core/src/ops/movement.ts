/**
 * Movement ops: they rearrange elements without arithmetic. Primitives: reshape, broadcastTo,
 * transpose, stridedSlice (every slice and reverse), its scatter-into-zeros gradient, pad and
 * concat; the public API builds expandDims, squeeze, stack, unstack, split, tile from them.
 * Attrs are normalized: no negative axes, explicit sizes, windows inside the input.
 */
import { AxisError, DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { broadcastShapes, shapeStr, sizeOf, stridesOf, validateShape } from "../shape.js";
import type { TypedArray } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { P } from "./primitives.js";
import { sumTo } from "./sum-to.js";
import { defineOp, optional, type TensorSpec } from "./def.js";
import { windowOffsets } from "./decompose-util.js";
import { forEachBroadcast } from "./ref-util.js";

/** A strided window: output index i along axis d reads input index begin[d] + i * strides[d]. */
export interface StridedSliceAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
  readonly strides: readonly number[];
}

/** The block of `size` elements of `g` starting at `begin` (a unit-stride stridedSlice). */
function block(g: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  return P.stridedSlice(g, { begin: size.map((n, i) => (n === 0 ? 0 : begin[i]!)), size: [...size], strides: size.map(() => 1) });
}

/** The gradient of stridedSlice: dy written into zeros of `shape` at the window's positions. */
export interface StridedSliceGradAttrs {
  readonly shape: readonly number[];
  readonly begin: readonly number[];
  readonly strides: readonly number[];
}

/** [before, after] element counts per axis, and the value written there. */
export interface PadAttrs {
  readonly paddings: readonly (readonly [number, number])[];
  readonly constantValue: number;
}

/**
 * Copy `shape`'s elements in row-major order from `src` (offset srcBase + sum i_d srcSteps_d)
 * to `dst` (offset dstBase + sum i_d dstSteps_d). Every strided kernel here is one call.
 */
function copyStrided(shape: readonly number[], src: TypedArray, srcBase: number, srcSteps: readonly number[], dst: TypedArray, dstBase: number, dstSteps: readonly number[]): void {
  const rank = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  const counter = new Array<number>(rank).fill(0);
  let s = srcBase;
  let t = dstBase;
  for (let i = 0; i < n; i++) {
    dst[t] = src[s]!;
    for (let d = rank - 1; d >= 0; d--) {
      s += srcSteps[d]!;
      t += dstSteps[d]!;
      if (++counter[d]! < shape[d]!) break;
      s -= srcSteps[d]! * shape[d]!;
      t -= dstSteps[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function intList(op: string, name: string, v: unknown, length: number, shape: readonly number[]): readonly number[] {
  if (!Array.isArray(v) || v.length !== length || !v.every(isInt))
    throw new InvalidArgumentError(`${op}: ${name} must be ${length} integers (one per axis of ${shapeStr(shape)}), got ${JSON.stringify(v)}`);
  return v;
}

/** Check a strided window against the shape it reads (or writes); returns the window's shape. */
function checkWindow(op: string, of: string, shape: readonly number[], a: { begin: unknown; size: unknown; strides: unknown }): number[] {
  const rank = shape.length;
  const begin = intList(op, "begin", a.begin, rank, shape);
  const size = intList(op, "size", a.size, rank, shape);
  const strides = intList(op, "strides", a.strides, rank, shape);
  for (let d = 0; d < rank; d++) {
    const b = begin[d]!;
    const n = size[d]!;
    const s = strides[d]!;
    if (s === 0) throw new InvalidArgumentError(`${op}: strides[${d}] is 0; strides must be non-zero`);
    if (n < 0) throw new InvalidArgumentError(`${op}: size[${d}] is ${n}; sizes must be >= 0 (${of} ${shapeStr(shape)})`);
    const last = b + (n - 1) * s;
    if (n === 0 ? b < 0 || b > shape[d]! : b < 0 || b >= shape[d]! || last < 0 || last >= shape[d]!)
      throw new InvalidArgumentError(
        `${op}: window on axis ${d} (begin ${b}, size ${n}, stride ${s}) leaves ${of} ${shapeStr(shape)}, whose axis ${d} has ${shape[d]} elements`,
      );
  }
  return [...size];
}

/** Base offset and per-axis steps of a strided window in a row-major array of `shape`. */
function windowSteps(shape: readonly number[], begin: readonly number[], strides: readonly number[]): [number, number[]] {
  const st = stridesOf(shape);
  let base = 0;
  for (let d = 0; d < shape.length; d++) base += begin[d]! * st[d]!;
  return [base, st.map((v, d) => v * strides[d]!)];
}

const STRIDED_CASES = [
  { shapes: [[7]], attrs: { begin: [1], size: [3], strides: [2] } },
  { shapes: [[5]], attrs: { begin: [4], size: [3], strides: [-2] } },
  { shapes: [[3, 4]], attrs: { begin: [0, 3], size: [2, 2], strides: [2, -1] } },
  { shapes: [[2, 3, 5]], attrs: { begin: [1, 0, 1], size: [1, 3, 3], strides: [1, 1, 1] } },
  { shapes: [[]], attrs: { begin: [], size: [], strides: [] } },
  { shapes: [[0, 3]], attrs: { begin: [0, 0], size: [0, 3], strides: [1, 1] } },
  { shapes: [[4, 3]], attrs: { begin: [0, 2], size: [4, 0], strides: [1, -1] } },
];

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
    vjp: ([g], c) => [P.reshape(g!, { shape: c.inputSpecs[0]!.shape })],
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

  /** Permute axes: y.shape[i] = x.shape[perm[i]]. d = transpose(dy, inverse(perm)) */
  transpose: defineOp<{ perm: readonly number[] }>({
    name: "transpose",
    family: "movement",
    arity: 1,
    infer: ([x], a) => {
      const rank = x!.shape.length;
      const p = a.perm;
      if (!Array.isArray(p) || p.length !== rank || !p.every((v) => isInt(v) && v >= 0 && v < rank) || new Set(p).size !== rank)
        throw new AxisError(`transpose: perm ${JSON.stringify(p)} is not a permutation of the ${rank} axes of x ${shapeStr(x!.shape)}`);
      return [{ shape: p.map((i) => x!.shape[i]!), dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => {
      const xs = stridesOf(x!.shape);
      copyStrided(y!.shape, x!.data, 0, a.perm.map((i) => xs[i]!), y!.data, 0, stridesOf(y!.shape));
    },
    saves: {},
    vjp: ([g], c) => {
      // y[i] = x[perm i], so dx[perm i] = dy[i]: transpose by the inverse permutation.
      const inv = new Array<number>(c.attrs.perm.length);
      c.attrs.perm.forEach((p, i) => (inv[p] = i));
      return [P.transpose(g!, { perm: inv })];
    },
    test: {
      cases: [
        { shapes: [[2, 3, 4]], attrs: { perm: [2, 0, 1] } },
        { shapes: [[3, 5]], attrs: { perm: [1, 0] } },
        { shapes: [[]], attrs: { perm: [] } },
        { shapes: [[7]], attrs: { perm: [0] } },
        { shapes: [[0, 3]], attrs: { perm: [1, 0] } },
        { shapes: [[2, 1, 3, 2]], attrs: { perm: [3, 1, 0, 2] } },
      ],
    },
  }),

  /**
   * A strided window: y[i] = x[begin + i * strides] per axis (strides may be negative).
   * Backs slice, stridedSlice and reverse. d = dy scattered into zeros of x's shape
   */
  stridedSlice: defineOp<StridedSliceAttrs>({
    name: "stridedSlice",
    family: "movement",
    arity: 1,
    infer: ([x], a) => [{ shape: checkWindow("stridedSlice", "x", x!.shape, a), dtype: x!.dtype }],
    ref: ([x], [y], a) => {
      const [base, steps] = windowSteps(x!.shape, a.begin, a.strides);
      copyStrided(y!.shape, x!.data, base, steps, y!.data, 0, stridesOf(y!.shape));
    },
    saves: {},
    // dx = zeros(x.shape) with dx[begin + i * strides] = dy[i]
    vjp: ([g], c) => [P.stridedSliceGrad(g!, { shape: c.inputSpecs[0]!.shape, begin: c.attrs.begin, strides: c.attrs.strides })],
    test: { cases: STRIDED_CASES },
  }),

  /**
   * The gradient of stridedSlice: zeros of `shape` with y[begin + i * strides] = dy[i].
   * d = stridedSlice(dg, begin, dy.shape, strides)
   */
  stridedSliceGrad: optional(defineOp<StridedSliceGradAttrs>({
    name: "stridedSliceGrad",
    family: "movement",
    arity: 1,
    infer: ([dy], a) => {
      const shape = validateShape(a.shape, "stridedSliceGrad");
      if (shape.length !== dy!.shape.length) throw new ShapeError(`stridedSliceGrad: dy ${shapeStr(dy!.shape)} and shape ${shapeStr(shape)} differ in rank`);
      checkWindow("stridedSliceGrad", "shape", shape, { begin: a.begin, size: dy!.shape, strides: a.strides });
      return [{ shape, dtype: dy!.dtype }];
    },
    ref: ([dy], [y], a) => {
      y!.data.fill(0);
      const [base, steps] = windowSteps(y!.shape, a.begin, a.strides);
      copyStrided(dy!.shape, dy!.data, 0, stridesOf(dy!.shape), y!.data, base, steps);
    },
    saves: {},
    // The op is linear and its adjoint reads the same window back: d = stridedSlice(dg).
    vjp: ([g], c): Tensor[] => [P.stridedSlice(g!, { begin: c.attrs.begin, size: c.inputSpecs[0]!.shape, strides: c.attrs.strides })],
    test: {
      cases: [
        { shapes: [[3]], attrs: { shape: [7], begin: [1], strides: [2] } },
        { shapes: [[3]], attrs: { shape: [5], begin: [4], strides: [-2] } },
        { shapes: [[2, 2]], attrs: { shape: [3, 4], begin: [0, 3], strides: [2, -1] } },
        { shapes: [[]], attrs: { shape: [], begin: [], strides: [] } },
        { shapes: [[0, 3]], attrs: { shape: [2, 3], begin: [0, 0], strides: [1, 1] } },
      ],
    },
  }), ([dy], a) => {
    // scatter dy into zeros of `shape` at the window's flat offsets (each written once)
    const bool = dy!.dtype === "bool";
    const values = P.reshape(bool ? P.cast(dy!, { dtype: "int32" }) : dy!, { shape: [dy!.size] });
    const at = P.reshape(windowOffsets(a.shape, dy!.shape, a.begin, a.strides), { shape: [dy!.size] });
    const flat = P.unsortedSegmentSum(values, at, { axis: 0, batchDims: 0, numSegments: sizeOf(a.shape) });
    const y = P.reshape(flat, { shape: a.shape });
    return [bool ? P.cast(y, { dtype: "bool" }) : y];
  }),

  /** Pad with `constantValue`: paddings[d] = [before, after]. d = slice(dy, before, x.shape) */
  pad: defineOp<PadAttrs>({
    name: "pad",
    family: "movement",
    arity: 1,
    infer: ([x], a) => {
      const rank = x!.shape.length;
      const p = a.paddings;
      if (!Array.isArray(p) || p.length !== rank || !p.every((q) => Array.isArray(q) && q.length === 2 && q.every((v) => isInt(v) && v >= 0)))
        throw new InvalidArgumentError(`pad: paddings must be ${rank} pairs [before, after] of integers >= 0 (one per axis of x ${shapeStr(x!.shape)}), got ${JSON.stringify(p)}`);
      if (typeof a.constantValue !== "number") throw new InvalidArgumentError(`pad: constantValue must be a number, got ${typeof a.constantValue}`);
      return [{ shape: validateShape(x!.shape.map((d, i) => d + p[i]![0] + p[i]![1]), "pad"), dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => {
      y!.data.fill(y!.dtype === "bool" ? (a.constantValue ? 1 : 0) : a.constantValue);
      const [base, steps] = windowSteps(y!.shape, a.paddings.map((q) => q[0]), a.paddings.map(() => 1));
      copyStrided(x!.shape, x!.data, 0, stridesOf(x!.shape), y!.data, base, steps);
    },
    saves: {},
    // y = x placed at offset `before` in a constant frame: dx = dy[before : before + x.shape]
    vjp: ([g], c) => [block(g!, c.attrs.paddings.map((q) => q[0]), c.inputSpecs[0]!.shape)],
    test: {
      cases: [
        { shapes: [[2, 3]], attrs: { paddings: [[1, 0], [2, 1]], constantValue: 0 } },
        { shapes: [[5]], attrs: { paddings: [[0, 2]], constantValue: -1.5 } },
        { shapes: [[]], attrs: { paddings: [], constantValue: 0 } },
        { shapes: [[0, 2]], attrs: { paddings: [[1, 1], [0, 0]], constantValue: 3 } },
        { shapes: [[2, 1, 3]], attrs: { paddings: [[0, 0], [1, 1], [0, 3]], constantValue: 0 } },
      ],
    },
  }),

  /** Join tensors along `axis` (same rank and dtype; other dimensions equal). d = slices of dy */
  concat: defineOp<{ axis: number }>({
    name: "concat",
    family: "movement",
    arity: -1,
    infer: (xs, a) => {
      if (xs.length === 0) throw new InvalidArgumentError("concat: needs at least one tensor");
      const first = xs[0]!;
      const rank = first.shape.length;
      const all = xs.map((t) => shapeStr(t.shape)).join(", ");
      if (rank === 0) throw new ShapeError(`concat: tensors must have rank >= 1, got scalars; use stack to join scalars`);
      if (!isInt(a.axis) || a.axis < 0 || a.axis >= rank) throw new AxisError(`concat: axis ${a.axis} is out of range for tensors of rank ${rank}`);
      let total = 0;
      xs.forEach((t: TensorSpec, i) => {
        if (t.dtype !== first.dtype) throw new DTypeError(`concat: tensor ${i} is ${t.dtype} but tensor 0 is ${first.dtype}; cast them to one dtype`);
        if (t.shape.length !== rank || t.shape.some((d, j) => j !== a.axis && d !== first.shape[j]))
          throw new ShapeError(`concat: tensor ${i} has shape ${shapeStr(t.shape)}, which does not match tensor 0 outside axis ${a.axis} (shapes ${all})`);
        total += t.shape[a.axis]!;
      });
      const shape = [...first.shape];
      shape[a.axis] = total;
      return [{ shape: validateShape(shape, "concat"), dtype: first.dtype }];
    },
    ref: (xs, [y], a) => {
      const ys = stridesOf(y!.shape);
      let base = 0;
      for (const x of xs) {
        copyStrided(x.shape, x.data, 0, stridesOf(x.shape), y!.data, base, ys);
        base += x.shape[a.axis]! * ys[a.axis]!;
      }
    },
    saves: {},
    // y = [x0; x1; ...] along axis: dxi = dy[offset_i : offset_i + xi.shape[axis]] along axis
    vjp: ([g], c) => {
      let offset = 0;
      return c.inputSpecs.map((s) => {
        const begin = s.shape.map((_, d) => (d === c.attrs.axis ? offset : 0));
        offset += s.shape[c.attrs.axis]!;
        return block(g!, begin, s.shape);
      });
    },
    test: {
      cases: [
        { shapes: [[2, 3], [2, 1], [2, 0]], attrs: { axis: 1 } },
        { shapes: [[1], [4]], attrs: { axis: 0 } },
        { shapes: [[2, 3, 2], [1, 3, 2]], attrs: { axis: 0 } },
        { shapes: [[2, 3, 2], [2, 3, 2], [2, 3, 2]], attrs: { axis: 2 } },
        { shapes: [[5]], attrs: { axis: 0 } },
        { shapes: [[0, 3], [0, 3]], attrs: { axis: 0 } },
      ],
    },
  }),
};
