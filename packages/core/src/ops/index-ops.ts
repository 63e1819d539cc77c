/**
 * Index ops: gather, its scatter-add gradient unsortedSegmentSum, gatherND, scatterND and
 * oneHot. Index inputs are int32; an index out of range is an InvalidArgumentError from the
 * reference kernel naming the op and the position (never a silent wrap). oneHot follows TF:
 * an index outside [0, depth) gives a row of offValue.
 */
import { isDType, type DType, type TypedArray } from "../dtype.js";
import { AxisError, DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { shapeStr, sizeOf, stridesOf, validateShape } from "../shape.js";
import { P } from "./primitives.js";
import { defineOp, optional, type RefTensor, type TensorSpec } from "./def.js";
import { range, scalar, tupleOffsets as flatTupleOffsets } from "./decompose-util.js";

/** gather along `axis`; the first `batchDims` axes of x and indices are matched pairwise. */
export interface GatherAttrs {
  readonly axis: number;
  readonly batchDims: number;
}

/** unsortedSegmentSum: the adjoint of gather with the same axis and batchDims. */
export interface SegmentSumAttrs extends GatherAttrs {
  readonly numSegments: number;
}

export interface OneHotAttrs {
  readonly depth: number;
  readonly onValue: number;
  readonly offValue: number;
  readonly dtype: DType;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function requireInt32(op: string, name: string, t: TensorSpec): void {
  if (t.dtype !== "int32") throw new DTypeError(`${op}: ${name} must be int32, got ${t.dtype} ${shapeStr(t.shape)}; cast them with cast(${name}, "int32")`);
}

/** "indices[1,0]" for flat position `flat` of a tensor of `shape`. */
function position(name: string, flat: number, shape: readonly number[]): string {
  const st = stridesOf(shape);
  return `${name}[${shape.map((d, i) => Math.floor(flat / st[i]!) % d).join(",")}]`;
}

/** Throw unless every index lies in [0, n); `dim(j)` gives the bound for the j-th value. */
function checkIndices(op: string, idx: RefTensor, dim: (j: number) => number, what: (j: number) => string): void {
  const v = idx.data;
  for (let j = 0; j < v.length; j++) {
    const n = dim(j);
    if (v[j]! < 0 || v[j]! >= n) throw new InvalidArgumentError(`${op}: ${position("indices", j, idx.shape)} = ${v[j]} is not in [0, ${n}) (${what(j)})`);
  }
}

/** Check the gather layout: x[:batchDims] = indices[:batchDims], batchDims <= axis < rank. */
function gatherLayout(op: string, x: TensorSpec, idx: TensorSpec, a: GatherAttrs, xName: string, k: number): void {
  const rank = x.shape.length;
  if (!isInt(a.axis) || a.axis < 0 || a.axis + k > rank) throw new AxisError(`${op}: axis ${a.axis} is out of range for ${xName} ${shapeStr(x.shape)}`);
  if (!isInt(a.batchDims) || a.batchDims < 0 || a.batchDims > a.axis || a.batchDims > idx.shape.length)
    throw new InvalidArgumentError(`${op}: batchDims ${a.batchDims} must be in [0, min(axis ${a.axis}, rank of indices ${idx.shape.length})]`);
  for (let d = 0; d < a.batchDims; d++)
    if (x.shape[d] !== idx.shape[d])
      throw new ShapeError(`${op}: the first ${a.batchDims} (batch) dimensions of ${xName} ${shapeStr(x.shape)} and indices ${shapeStr(idx.shape)} differ`);
}

/** Block sizes [B, O, I, R] of x viewed as [B, O, N, R] and indices as [B, I]. */
function gatherBlocks(x: readonly number[], idx: readonly number[], a: GatherAttrs, k: number): [number, number, number, number] {
  return [sizeOf(x.slice(0, a.batchDims)), sizeOf(x.slice(a.batchDims, a.axis)), sizeOf(idx.slice(a.batchDims)), sizeOf(x.slice(a.axis + k))];
}

/** Rows of the index tuple array [..., K] as flat offsets into the leading K axes of `shape`. */
function tupleOffsets(op: string, idx: RefTensor, shape: readonly number[], xName: string): Int32Array {
  const k = idx.shape[idx.shape.length - 1]!;
  const st = stridesOf(shape.slice(0, k));
  checkIndices(op, idx, (j) => shape[j % k]!, (j) => `axis ${j % k} of ${xName} ${shapeStr(shape)}`);
  const n = k === 0 ? sizeOf(idx.shape.slice(0, -1)) : idx.size / k;
  const out = new Int32Array(n);
  for (let t = 0; t < n; t++) for (let j = 0; j < k; j++) out[t]! += idx.data[t * k + j]! * st[j]!;
  return out;
}

function addInto(y: TypedArray, at: number, v: number, bool: boolean): void {
  y[at] = bool ? (y[at] || v ? 1 : 0) : y[at]! + v;
}

const GATHER_CASES = [
  { shapes: [[5, 3], [4]], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0 } },
  { shapes: [[3, 4], [2, 2]], dtypes: ["float32", "int32"], attrs: { axis: 1, batchDims: 0 } },
  { shapes: [[2, 3, 4], [2, 5]], dtypes: ["float32", "int32"], attrs: { axis: 1, batchDims: 1 } },
  { shapes: [[3], []], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0 } },
  { shapes: [[4, 3], [0]], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0 } },
  { shapes: [[0, 3], [2]], dtypes: ["float32", "int32"], attrs: { axis: 1, batchDims: 0 } },
] as const;

export const indexOps = {
  /**
   * y[b, o, i, r] = x[b, o, indices[b, i], r] (x viewed as [batch, outer, x.shape[axis], rest]).
   * d = (unsortedSegmentSum(dy, indices, x.shape[axis]), -)
   */
  gather: defineOp<GatherAttrs>({
    name: "gather",
    family: "index",
    arity: 2,
    infer: ([x, idx], a) => {
      requireInt32("gather", "indices", idx!);
      if (x!.shape.length === 0) throw new ShapeError("gather: x is a scalar; it needs rank >= 1");
      gatherLayout("gather", x!, idx!, a, "x", 1);
      const shape = [...x!.shape.slice(0, a.axis), ...idx!.shape.slice(a.batchDims), ...x!.shape.slice(a.axis + 1)];
      return [{ shape: validateShape(shape, "gather"), dtype: x!.dtype }];
    },
    ref: ([x, idx], [y], a) => {
      const n = x!.shape[a.axis]!;
      checkIndices("gather", idx!, () => n, () => `axis ${a.axis} of x ${shapeStr(x!.shape)}`);
      const [B, O, I, R] = gatherBlocks(x!.shape, idx!.shape, a, 1);
      const xs = x!.data;
      const ys = y!.data;
      const iv = idx!.data;
      for (let b = 0; b < B; b++)
        for (let o = 0; o < O; o++)
          for (let i = 0; i < I; i++) {
            const src = ((b * O + o) * n + iv[b * I + i]!) * R;
            const dst = ((b * O + o) * I + i) * R;
            for (let r = 0; r < R; r++) ys[dst + r] = xs[src + r]!;
          }
    },
    saves: { inputs: true },
    // dx[b, o, j, r] = sum over i with indices[b, i] = j of dy[b, o, i, r]
    vjp: ([g], c) => [P.unsortedSegmentSum(g!, c.inputs[1]!, { numSegments: c.inputSpecs[0]!.shape[c.attrs.axis]!, axis: c.attrs.axis, batchDims: c.attrs.batchDims }), null],
    test: { cases: GATHER_CASES, intInputs: { 1: [0, 3] } },
  }),

  /**
   * The adjoint of gather: y = zeros with y[b, o, ids[b, i], r] += x[b, o, i, r], where y's
   * axis `axis` has numSegments entries. d = (gather(dy, ids), -)
   */
  unsortedSegmentSum: defineOp<SegmentSumAttrs>({
    name: "unsortedSegmentSum",
    family: "index",
    arity: 2,
    infer: ([x, ids], a) => {
      requireInt32("unsortedSegmentSum", "segmentIds", ids!);
      if (x!.dtype === "bool") throw new DTypeError("unsortedSegmentSum: x is bool; cast it to int32 or float32 first");
      if (!isInt(a.numSegments) || a.numSegments < 0) throw new InvalidArgumentError(`unsortedSegmentSum: numSegments must be an integer >= 0, got ${a.numSegments}`);
      const k = ids!.shape.length - (isInt(a.batchDims) ? a.batchDims : 0);
      gatherLayout("unsortedSegmentSum", x!, ids!, a, "x", k);
      const idsInner = ids!.shape.slice(a.batchDims);
      if (idsInner.some((d, j) => d !== x!.shape[a.axis + j]))
        throw new ShapeError(`unsortedSegmentSum: segmentIds ${shapeStr(ids!.shape)} must match x ${shapeStr(x!.shape)} from axis ${a.axis} (after ${a.batchDims} batch dimensions)`);
      const shape = [...x!.shape.slice(0, a.axis), a.numSegments, ...x!.shape.slice(a.axis + k)];
      return [{ shape: validateShape(shape, "unsortedSegmentSum"), dtype: x!.dtype }];
    },
    ref: ([x, ids], [y], a) => {
      const n = a.numSegments;
      checkIndices("unsortedSegmentSum", ids!, () => n, () => `numSegments ${n}`);
      const k = ids!.shape.length - a.batchDims;
      const [B, O, I, R] = gatherBlocks(x!.shape, ids!.shape, a, k);
      const xs = x!.data;
      const ys = y!.data;
      ys.fill(0);
      const iv = ids!.data;
      for (let b = 0; b < B; b++)
        for (let o = 0; o < O; o++)
          for (let i = 0; i < I; i++) {
            const dst = ((b * O + o) * n + iv[b * I + i]!) * R;
            const src = ((b * O + o) * I + i) * R;
            for (let r = 0; r < R; r++) ys[dst + r]! += xs[src + r]!;
          }
    },
    saves: { inputs: true },
    // Linear in x with adjoint gather: dx[b, o, i, r] = dy[b, o, ids[b, i], r]
    vjp: ([g], c) => [P.gather(g!, c.inputs[1]!, { axis: c.attrs.axis, batchDims: c.attrs.batchDims }), null],
    test: {
      cases: [
        { shapes: [[4, 2], [4]], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0, numSegments: 3 } },
        { shapes: [[2, 3], [2, 3]], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0, numSegments: 4 } },
        { shapes: [[2, 5, 4], [2, 5]], dtypes: ["float32", "int32"], attrs: { axis: 1, batchDims: 1, numSegments: 3 } },
        { shapes: [[3, 2, 2], [2]], dtypes: ["float32", "int32"], attrs: { axis: 1, batchDims: 0, numSegments: 3 } },
        { shapes: [[], []], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0, numSegments: 3 } },
        { shapes: [[0], [0]], dtypes: ["float32", "int32"], attrs: { axis: 0, batchDims: 0, numSegments: 3 } },
      ],
      intInputs: { 1: [0, 3] },
    },
  }),

  /** y[t, r] = x[indices[t, 0], ..., indices[t, K-1], r]. d = (scatterND(indices, dy, x.shape), -) */
  gatherND: optional(defineOp<Record<string, never>>({
    name: "gatherND",
    family: "index",
    arity: 2,
    infer: ([x, idx]) => {
      requireInt32("gatherND", "indices", idx!);
      const r = idx!.shape.length;
      const k = idx!.shape[r - 1];
      if (r === 0 || k! > x!.shape.length)
        throw new ShapeError(`gatherND: indices ${shapeStr(idx!.shape)} must have rank >= 1 and a last dimension <= rank of x ${shapeStr(x!.shape)}`);
      return [{ shape: validateShape([...idx!.shape.slice(0, -1), ...x!.shape.slice(k)], "gatherND"), dtype: x!.dtype }];
    },
    ref: ([x, idx], [y]) => {
      const offsets = tupleOffsets("gatherND", idx!, x!.shape, "x");
      const R = sizeOf(x!.shape.slice(idx!.shape[idx!.shape.length - 1]));
      const xs = x!.data;
      const ys = y!.data;
      for (let t = 0; t < offsets.length; t++) for (let r = 0; r < R; r++) ys[t * R + r] = xs[offsets[t]! * R + r]!;
    },
    saves: { inputs: true },
    // dx[indices[t], r] += dy[t, r]
    vjp: ([g], c) => [P.scatterND(c.inputs[1]!, g!, { shape: c.inputSpecs[0]!.shape }), null],
    test: {
      cases: [
        { shapes: [[3, 4], [5, 2]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[3, 4], [2, 1]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[3, 3, 2], [2, 3, 2]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[3], [0, 1]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[2, 3], [2, 0]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[3], [1]], dtypes: ["float32", "int32"], attrs: {} },
        { shapes: [[], [3, 0]], dtypes: ["float32", "int32"], attrs: {} },
      ],
      intInputs: { 1: [0, 3] },
    },
  }), ([x, idx]) => {
    // gather rows of x viewed as [x.shape[:K] flattened, ...x.shape[K:]] at the tuples' flat offsets
    const k = idx!.shape[idx!.shape.length - 1]!;
    const rows = P.reshape(x!, { shape: [sizeOf(x!.shape.slice(0, k)), ...x!.shape.slice(k)] });
    return [P.gather(rows, flatTupleOffsets(idx!, x!.shape), { axis: 0, batchDims: 0 })];
  }),

  /**
   * zeros(shape) with y[indices[t], r] += updates[t, r] (duplicate indices add, as in TF).
   * d = (-, gatherND(dy, indices))
   */
  scatterND: optional(defineOp<{ shape: readonly number[] }>({
    name: "scatterND",
    family: "index",
    arity: 2,
    infer: ([idx, upd], a) => {
      requireInt32("scatterND", "indices", idx!);
      const shape = validateShape(a.shape, "scatterND");
      const r = idx!.shape.length;
      const k = idx!.shape[r - 1];
      if (r === 0 || k! > shape.length)
        throw new ShapeError(`scatterND: indices ${shapeStr(idx!.shape)} must have rank >= 1 and a last dimension <= rank of shape ${shapeStr(shape)}`);
      const want = [...idx!.shape.slice(0, -1), ...shape.slice(k)];
      if (want.length !== upd!.shape.length || want.some((d, i) => d !== upd!.shape[i]))
        throw new ShapeError(`scatterND: updates ${shapeStr(upd!.shape)} must have shape ${shapeStr(want)} for indices ${shapeStr(idx!.shape)} and shape ${shapeStr(shape)}`);
      return [{ shape, dtype: upd!.dtype }];
    },
    ref: ([idx, upd], [y]) => {
      const offsets = tupleOffsets("scatterND", idx!, y!.shape, "shape");
      const R = sizeOf(y!.shape.slice(idx!.shape[idx!.shape.length - 1]));
      const us = upd!.data;
      const ys = y!.data;
      const bool = y!.dtype === "bool";
      ys.fill(0);
      for (let t = 0; t < offsets.length; t++) for (let r = 0; r < R; r++) addInto(ys, offsets[t]! * R + r, us[t * R + r]!, bool);
    },
    saves: { inputs: true },
    // Linear in updates with adjoint gatherND: dupdates[t, r] = dy[indices[t], r]
    vjp: ([g], c) => [null, P.gatherND(g!, c.inputs[0]!)],
    test: {
      cases: [
        { shapes: [[5, 1], [5, 4]], dtypes: ["int32", "float32"], attrs: { shape: [3, 4] } },
        { shapes: [[4, 2], [4]], dtypes: ["int32", "float32"], attrs: { shape: [3, 3] } },
        { shapes: [[2, 2, 1], [2, 2, 2]], dtypes: ["int32", "float32"], attrs: { shape: [3, 2] } },
        { shapes: [[0, 2], [0]], dtypes: ["int32", "float32"], attrs: { shape: [3, 3] } },
        { shapes: [[2, 1], [2]], dtypes: ["int32", "float32"], attrs: { shape: [3] } },
        { shapes: [[2, 0], [2]], dtypes: ["int32", "float32"], attrs: { shape: [] } },
      ],
      intInputs: { 0: [0, 3] },
    },
  }), ([idx, upd], a) => {
    // unsortedSegmentSum of the update rows at the tuples' flat offsets; bool adds as logical or
    const k = idx!.shape[idx!.shape.length - 1]!;
    const rest = a.shape.slice(k);
    const n = sizeOf(idx!.shape.slice(0, -1));
    const bool = upd!.dtype === "bool";
    const rows = P.reshape(bool ? P.cast(upd!, { dtype: "int32" }) : upd!, { shape: [n, ...rest] });
    const at = P.reshape(flatTupleOffsets(idx!, a.shape), { shape: [n] });
    const y = P.reshape(P.unsortedSegmentSum(rows, at, { axis: 0, batchDims: 0, numSegments: sizeOf(a.shape.slice(0, k)) }), { shape: a.shape });
    return [bool ? P.cast(y, { dtype: "bool" }) : y];
  }),

  /** y[..., j] = onValue if indices[...] = j else offValue; out-of-range rows are all offValue. */
  oneHot: optional(defineOp<OneHotAttrs>({
    name: "oneHot",
    family: "index",
    arity: 1,
    infer: ([idx], a) => {
      requireInt32("oneHot", "indices", idx!);
      if (!isInt(a.depth) || a.depth < 0) throw new InvalidArgumentError(`oneHot: depth must be an integer >= 0, got ${a.depth}`);
      if (typeof a.onValue !== "number" || typeof a.offValue !== "number")
        throw new InvalidArgumentError(`oneHot: onValue and offValue must be numbers, got ${a.onValue} and ${a.offValue}`);
      if (!isDType(a.dtype)) throw new DTypeError(`oneHot: unknown dtype ${JSON.stringify(a.dtype)}`);
      return [{ shape: validateShape([...idx!.shape, a.depth], "oneHot"), dtype: a.dtype }];
    },
    ref: ([idx], [y], a) => {
      const ys = y!.data;
      const bool = a.dtype === "bool";
      ys.fill(bool ? (a.offValue ? 1 : 0) : a.offValue);
      const on = bool ? (a.onValue ? 1 : 0) : a.onValue;
      const iv = idx!.data;
      for (let i = 0; i < iv.length; i++) if (iv[i]! >= 0 && iv[i]! < a.depth) ys[i * a.depth + iv[i]!] = on;
    },
    saves: {},
    vjp: "none",
    test: {
      cases: [
        { shapes: [[4]], dtypes: ["int32"], attrs: { depth: 3, onValue: 1, offValue: 0, dtype: "float32" } },
        { shapes: [[]], dtypes: ["int32"], attrs: { depth: 3, onValue: 5, offValue: -1, dtype: "float32" } },
        { shapes: [[2, 3]], dtypes: ["int32"], attrs: { depth: 4, onValue: 1, offValue: 0, dtype: "int32" } },
        { shapes: [[0]], dtypes: ["int32"], attrs: { depth: 3, onValue: 1, offValue: 0, dtype: "float32" } },
      ],
      intInputs: { 0: [-1, 4] },
      noGradCheck: "its only input is integer indices",
    },
  }), ([idx], a) => {
    const hit = P.equal(P.reshape(idx!, { shape: [...idx!.shape, 1] }), range(a.depth));
    return [P.where(hit, scalar(a.onValue, a.dtype), scalar(a.offValue, a.dtype))];
  }),
};
