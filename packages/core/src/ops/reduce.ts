/**
 * Reductions over axes (sum, mean, prod, max, min, all, any), arg-reductions, cumsum and
 * topk. Attrs are explicit and normalized by the public API: `axes` a sorted unique list, no
 * negative axes, every flag given. Gradients broadcast dy back over the reduced axes.
 */
import type { DType } from "../dtype.js";
import { AxisError, InvalidArgumentError, ShapeError } from "../errors.js";
import { normalizeAxes, shapeStr, sizeOf } from "../shape.js";
import { P } from "./primitives.js";
import type { Tensor } from "../tensor.js";
import { defineOp, optional, type OpDef, type OpTestCase, type RefTensor, type TensorSpec, type Vjp } from "./def.js";
import { reverseOrder } from "./decompose-util.js";
import { reduceAxes } from "./ref-util.js";

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** One axis (argMax, argMin). */
export interface ArgReduceAttrs {
  readonly axis: number;
}

export interface CumsumAttrs {
  readonly axis: number;
  readonly exclusive: boolean;
  readonly reverse: boolean;
}

export interface TopkAttrs {
  readonly k: number;
  readonly sorted: boolean;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Output shape of a reduction. */
export function reducedShape(x: TensorSpec, a: ReduceAttrs, op: string): number[] {
  const axes = normalizeAxes(a.axes, x.shape.length, op);
  if (typeof a.keepDims !== "boolean") throw new InvalidArgumentError(`${op}: keepDims must be a boolean, got ${String(a.keepDims)}`);
  return a.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** dy reshaped so it broadcasts against the input (reduced axes kept as 1). */
export function keepDimsGrad(dy: Tensor, inputShape: readonly number[], axes: readonly number[]): Tensor {
  return P.reshape(dy, { shape: inputShape.map((d, i) => (axes.includes(i) ? 1 : d)) });
}

/** dy broadcast back to the input's shape. */
function spread(dy: Tensor, c: { attrs: ReduceAttrs; inputSpecs: readonly TensorSpec[] }): Tensor {
  const shape = c.inputSpecs[0]!.shape;
  return P.broadcastTo(keepDimsGrad(dy, shape, c.attrs.axes), { shape });
}

/**
 * Evaluate a piecewise-constant quantity (which positions hold the max, which are zero)
 * without recording it on any tape: its derivative is zero wherever it exists, so a
 * higher-order gradient sees a constant rather than a path through a comparison.
 */
function piecewiseConstant<R>(fn: () => R): R {
  return P.withoutRecording(fn);
}

/** Validate a single axis for an op that also accepts scalars (treated as one element along axis 0). */
function checkAxis(op: string, axis: number, rank: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= Math.max(rank, 1))
    throw new AxisError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (attrs take a normalized axis in [0, ${Math.max(rank, 1)}))`);
}

/** Extreme values a max/min over no elements returns, per dtype (TF: lowest/highest int32). */
const EMPTY_MAX: Record<DType, number> = { float32: -Infinity, float64: -Infinity, int32: INT32_MIN, bool: 0 };
const EMPTY_MIN: Record<DType, number> = { float32: Infinity, float64: Infinity, int32: INT32_MAX, bool: 1 };

const REDUCE_CASES: readonly OpTestCase<ReduceAttrs>[] = [
  { shapes: [[3, 4]], attrs: { axes: [1], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [0, 1], keepDims: false } },
  { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: true } },
  { shapes: [[5, 7]], attrs: { axes: [0], keepDims: true } },
  { shapes: [[7]], attrs: { axes: [0], keepDims: false } },
  { shapes: [[3, 5]], attrs: { axes: [], keepDims: false } },
  { shapes: [[]], attrs: { axes: [], keepDims: false } },
  { shapes: [[0, 3]], attrs: { axes: [0], keepDims: false } },
  { shapes: [[2, 0, 3]], attrs: { axes: [1], keepDims: true } },
  { shapes: [[3, 5]], dtypes: ["int32"], attrs: { axes: [1], keepDims: false } },
];

const BOOL_CASES: readonly OpTestCase<ReduceAttrs>[] = [
  { shapes: [[3, 4]], dtypes: ["bool"], attrs: { axes: [1], keepDims: false } },
  { shapes: [[2, 3, 5]], dtypes: ["bool"], attrs: { axes: [0, 2], keepDims: true } },
  { shapes: [[7]], dtypes: ["bool"], attrs: { axes: [0], keepDims: false } },
  { shapes: [[]], dtypes: ["bool"], attrs: { axes: [], keepDims: false } },
  { shapes: [[0, 3]], dtypes: ["bool"], attrs: { axes: [0], keepDims: false } },
];

interface ReduceOptions {
  readonly promote?: "arith" | "float";
  readonly inputDTypes?: readonly DType[];
  /** Output dtype when it is not the (promoted) input dtype. */
  readonly out?: DType;
  readonly init: (dtype: DType) => number;
  /** Fold one value; `int` is true when the accumulator must wrap like int32. */
  readonly step: (acc: number, v: number, int: boolean) => number;
  readonly finish?: (acc: number, count: number) => number;
  readonly saves: { inputs?: boolean; outputs?: boolean };
  readonly vjp: Vjp<ReduceAttrs> | "none";
  readonly cases?: readonly OpTestCase<ReduceAttrs>[];
  readonly domain?: readonly [number, number];
  readonly noGradCheck?: string;
}

function reduction(name: string, o: ReduceOptions): OpDef<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    name,
    family: "reduce",
    arity: 1,
    promote: o.promote,
    inputDTypes: o.inputDTypes,
    infer: ([x], a) => [{ shape: reducedShape(x!, a, name), dtype: o.out ?? x!.dtype }],
    ref: ([x], [y], a) => {
      const int = x!.dtype === "int32";
      const init = o.init(x!.dtype);
      reduceAxes(x!, a.axes, y!, () => init, (acc, v) => o.step(acc, v, int), o.finish ?? ((acc) => acc));
    },
    saves: o.saves,
    vjp: o.vjp,
    test: { cases: o.cases ?? REDUCE_CASES, domain: o.domain, noGradCheck: o.noGradCheck },
  });
}

/**
 * The gradient of max/min: dy goes to the positions equal to the result, split evenly among
 * ties (TF's rule). d(max x)/dx_i = [x_i = y] / #{j : x_j = y}.
 */
const extremumVjp: Vjp<ReduceAttrs> = ([g], c) => {
  const x = c.inputs[0]!;
  const shape = c.inputSpecs[0]!.shape;
  const y = keepDimsGrad(c.outputs[0]!, shape, c.attrs.axes);
  const share = piecewiseConstant(() => {
    const mask = P.cast(P.equal(x, y), { dtype: g!.dtype });
    return P.div(mask, P.sum(mask, { axes: c.attrs.axes, keepDims: true }));
  });
  return [P.mul(share, keepDimsGrad(g!, shape, c.attrs.axes))];
};

/** Flat loop bounds for a scan along `axis`: outer blocks, axis length, inner stride. */
function scanBounds(shape: readonly number[], axis: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

function argReduceRef(x: RefTensor, y: RefTensor, axis: number, better: (v: number, best: number) => boolean): void {
  if (x.shape.length === 0) {
    y.data[0] = 0;
    return;
  }
  const [outer, n, inner] = scanBounds(x.shape, axis);
  const xs = x.data;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = xs[base]!;
      let bestIndex = 0;
      for (let j = 1; j < n; j++) {
        const v = xs[base + j * inner]!;
        if (best === best && better(v, best)) {
          best = v;
          bestIndex = j;
        }
      }
      y.data[o * inner + i] = bestIndex;
    }
}

function argReduce(name: "argMax" | "argMin", better: (v: number, best: number) => boolean): OpDef<ArgReduceAttrs> {
  return defineOp<ArgReduceAttrs>({
    name,
    family: "reduce",
    arity: 1,
    infer: ([x], a) => {
      const rank = x!.shape.length;
      checkAxis(name, a.axis, rank);
      if (rank > 0 && x!.shape[a.axis] === 0) throw new ShapeError(`${name}: axis ${a.axis} of x ${shapeStr(x!.shape)} is empty; there is no index to return`);
      return [{ shape: x!.shape.filter((_, i) => i !== a.axis), dtype: "int32" }];
    },
    ref: ([x], [y], a) => argReduceRef(x!, y!, a.axis, better),
    saves: {},
    vjp: "none",
    test: {
      cases: [
        { shapes: [[3, 4]], attrs: { axis: 1 } },
        { shapes: [[3, 4]], attrs: { axis: 0 } },
        { shapes: [[2, 3, 5]], attrs: { axis: 1 } },
        { shapes: [[7]], attrs: { axis: 0 } },
        { shapes: [[]], attrs: { axis: 0 } },
        { shapes: [[0, 3]], attrs: { axis: 1 } },
        { shapes: [[3, 5]], dtypes: ["int32"], attrs: { axis: 1 } },
      ],
      noGradCheck: "int32 output: argMax and argMin have no gradient",
    },
  });
}

/** Descending by value (NaN above everything), lower index first among equals. */
function topkOrder(row: ArrayLike<number>): (i: number, j: number) => number {
  return (i, j) => {
    const a = row[i]!;
    const b = row[j]!;
    const an = a !== a;
    const bn = b !== b;
    if (an || bn) return an && bn ? i - j : an ? -1 : 1;
    if (a === b) return i - j;
    return a > b ? -1 : 1;
  };
}

export const reduceOps = {
  /** Sum over axes; bool is summed as int32, int32 wraps. d = broadcast(dy) */
  sum: reduction("sum", {
    promote: "arith",
    init: () => 0,
    step: (acc, v, int) => (int ? (acc + v) | 0 : acc + v),
    saves: {},
    vjp: ([g], c) => [spread(g!, c)],
  }),

  /** Mean over axes; ints and bool give float32; over no elements NaN. d = broadcast(dy) / count */
  mean: optional(reduction("mean", {
    promote: "float",
    init: () => 0,
    step: (acc, v) => acc + v,
    finish: (acc, n) => acc / n,
    saves: {},
    vjp: ([g], c) => {
      const shape = c.inputSpecs[0]!.shape;
      const count = c.attrs.axes.reduce((n, ax) => n * shape[ax]!, 1);
      return [spread(P.div(g!, count), c)];
    },
  }), ([x], a) => {
    const count = a.axes.reduce((n, ax) => n * x!.shape[ax]!, 1);
    return [P.div(P.sum(x!, a), count)];
  }),

  /**
   * Product over axes; bool as int32, int32 wraps; over no elements 1.
   * d(prod x)/dx_i = prod_{j != i} x_j, computed from the product of the nonzero entries so
   * that it is exact where x has zeros: with no zero it is p / x_i; with one zero it is p_nz
   * at the zero and 0 elsewhere; with two or more zeros it is 0.
   */
  prod: reduction("prod", {
    promote: "arith",
    init: () => 1,
    step: (acc, v, int) => (int ? Math.imul(acc, v) : acc * v),
    saves: { inputs: true },
    vjp: ([g], c) => {
      const x = c.inputs[0]!;
      const axes = c.attrs.axes;
      const [isZero, zeros] = piecewiseConstant(() => {
        const z = P.equal(x, 0);
        return [z, P.sum(P.cast(z, { dtype: "int32" }), { axes, keepDims: true })] as const;
      });
      const nonzero = P.where(isZero, 1, x);
      const pNonzero = P.prod(nonzero, { axes, keepDims: true });
      const atZero = P.where(P.equal(zeros, 1), pNonzero, 0);
      const elsewhere = P.where(P.equal(zeros, 0), P.div(pNonzero, nonzero), 0);
      return [P.mul(spread(g!, c), P.where(isZero, atZero, elsewhere))];
    },
    domain: [0.5, 1.5],
  }),

  /** Maximum over axes; NaN propagates; over no elements -Infinity (int32: its lowest). d: see extremumVjp */
  max: reduction("max", {
    init: (d) => EMPTY_MAX[d],
    step: (acc, v) => (v !== v || v > acc ? v : acc),
    saves: { inputs: true, outputs: true },
    vjp: extremumVjp,
  }),

  /** Minimum over axes; NaN propagates; over no elements +Infinity (int32: its highest). d: see extremumVjp */
  min: optional(reduction("min", {
    init: (d) => EMPTY_MIN[d],
    step: (acc, v) => (v !== v || v < acc ? v : acc),
    saves: { inputs: true, outputs: true },
    vjp: extremumVjp,
  }), ([x], a) => [reverseOrder(P.max(reverseOrder(x!), a))]),

  /** Logical AND over axes (true over no elements). */
  all: optional(reduction("all", {
    inputDTypes: ["bool"],
    init: () => 1,
    step: (acc, v) => (acc && v ? 1 : 0),
    saves: {},
    vjp: "none",
    cases: BOOL_CASES,
    noGradCheck: "bool output",
  }), ([x], a) => [P.equal(P.sum(P.cast(P.logicalNot(x!), { dtype: "int32" }), a), 0)]),

  /** Logical OR over axes (false over no elements). */
  any: optional(reduction("any", {
    inputDTypes: ["bool"],
    init: () => 0,
    step: (acc, v) => (acc || v ? 1 : 0),
    saves: {},
    vjp: "none",
    cases: BOOL_CASES,
    noGradCheck: "bool output",
  }), ([x], a) => [P.less(0, P.sum(P.cast(x!, { dtype: "int32" }), a))]),

  /** Index of the largest value along `axis` (first on ties; a NaN counts as largest). */
  argMax: argReduce("argMax", (v, best) => v !== v || v > best),

  /** Index of the smallest value along `axis` (first on ties; a NaN counts as smallest). */
  argMin: optional(argReduce("argMin", (v, best) => v !== v || v < best), ([x], a) => [P.argMax(reverseOrder(x!), a)]),

  /**
   * Running sum along `axis`; `exclusive` leaves out the current element, `reverse` runs from
   * the end. A scalar is one element along axis 0. d = cumsum(dy) in the opposite direction
   */
  cumsum: defineOp<CumsumAttrs>({
    name: "cumsum",
    family: "scan",
    arity: 1,
    promote: "arith",
    infer: ([x], a) => {
      checkAxis("cumsum", a.axis, x!.shape.length);
      if (typeof a.exclusive !== "boolean" || typeof a.reverse !== "boolean")
        throw new InvalidArgumentError(`cumsum: exclusive and reverse must be booleans, got ${String(a.exclusive)} and ${String(a.reverse)}`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => {
      const [outer, n, inner] = scanBounds(x!.shape, a.axis);
      const int = x!.dtype === "int32";
      const xs = x!.data;
      const ys = y!.data;
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let acc = 0;
          for (let s = 0; s < n; s++) {
            const at = base + (a.reverse ? n - 1 - s : s) * inner;
            const v = xs[at]!;
            if (!a.exclusive) acc = int ? (acc + v) | 0 : acc + v;
            ys[at] = acc;
            if (a.exclusive) acc = int ? (acc + v) | 0 : acc + v;
          }
        }
    },
    saves: {},
    // y_i = sum_{j <= i} x_j, so dx_j = sum_{i >= j} dy_i: the same scan run backwards.
    vjp: ([g], c) => [P.cumsum(g!, { axis: c.attrs.axis, exclusive: c.attrs.exclusive, reverse: !c.attrs.reverse })],
    test: {
      cases: [
        { shapes: [[7]], attrs: { axis: 0, exclusive: false, reverse: false } },
        { shapes: [[3, 4]], attrs: { axis: 1, exclusive: true, reverse: false } },
        { shapes: [[3, 4]], attrs: { axis: 0, exclusive: false, reverse: true } },
        { shapes: [[2, 3, 5]], attrs: { axis: 1, exclusive: true, reverse: true } },
        { shapes: [[]], attrs: { axis: 0, exclusive: false, reverse: false } },
        { shapes: [[0, 3]], attrs: { axis: 0, exclusive: false, reverse: false } },
        { shapes: [[3, 5]], dtypes: ["int32"], attrs: { axis: 1, exclusive: false, reverse: true } },
      ],
    },
  }),

  /**
   * The k largest entries along the last axis and their int32 indices (ties: lower index
   * first; NaN above everything). `sorted`: descending by value; otherwise in index order.
   * d: dy of each selected value goes back to its position: dx_j = sum_i dy_i [index_i = j]
   */
  topk: defineOp<TopkAttrs>({
    name: "topk",
    family: "reduce",
    arity: 1,
    inputDTypes: ["int32", "float32", "float64"],
    infer: ([x], a) => {
      const shape = x!.shape;
      if (shape.length === 0) throw new ShapeError("topk: x must have rank >= 1, got a scalar");
      const n = shape[shape.length - 1]!;
      if (!Number.isInteger(a.k) || a.k < 0 || a.k > n)
        throw new InvalidArgumentError(`topk: k must be an integer in [0, ${n}] (the last dimension of x ${shapeStr(shape)}), got ${a.k}`);
      if (typeof a.sorted !== "boolean") throw new InvalidArgumentError(`topk: sorted must be a boolean, got ${String(a.sorted)}`);
      const out = [...shape.slice(0, -1), a.k];
      return [
        { shape: out, dtype: x!.dtype },
        { shape: out, dtype: "int32" },
      ];
    },
    ref: ([x], [values, indices], a) => {
      const n = x!.shape[x!.shape.length - 1]!;
      const rows = n === 0 ? 0 : x!.size / n;
      const k = a.k;
      const order = Array.from({ length: n }, (_, i) => i);
      for (let r = 0; r < rows; r++) {
        const row = x!.data.subarray(r * n, (r + 1) * n);
        for (let i = 0; i < n; i++) order[i] = i;
        order.sort(topkOrder(row));
        const chosen = order.slice(0, k);
        if (!a.sorted) chosen.sort((i, j) => i - j);
        for (let i = 0; i < k; i++) {
          values!.data[r * k + i] = row[chosen[i]!]!;
          indices!.data[r * k + i] = chosen[i]!;
        }
      }
    },
    saves: { outputs: true },
    vjp: ([dv], c) => {
      const indices = c.outputs[1]!;
      const shape = c.inputSpecs[0]!.shape;
      const n = shape[shape.length - 1]!;
      const ks = indices.shape;
      // hits[..., i, j] = [indices[..., i] = j]; dx[..., j] = sum_i hits[..., i, j] dv[..., i]
      const hits = piecewiseConstant(() => P.oneHot(indices, { depth: n, onValue: 1, offValue: 0, dtype: dv!.dtype }));
      return [P.sum(P.mul(hits, P.reshape(dv!, { shape: [...ks, 1] })), { axes: [ks.length - 1], keepDims: false })];
    },
    test: {
      cases: [
        { shapes: [[7]], attrs: { k: 3, sorted: true } },
        { shapes: [[3, 5]], attrs: { k: 5, sorted: true } },
        { shapes: [[2, 3, 4]], attrs: { k: 1, sorted: true } },
        { shapes: [[3, 6]], attrs: { k: 4, sorted: false } },
        { shapes: [[3, 4]], attrs: { k: 0, sorted: true } },
        { shapes: [[0, 4]], attrs: { k: 2, sorted: true } },
        { shapes: [[3, 5]], dtypes: ["int32"], attrs: { k: 2, sorted: true } },
      ],
    },
  }),
};
