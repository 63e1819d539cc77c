/**
 * How each op of the table becomes ONNX operators (opset 17). An op listed here maps directly
 * (possibly to a few ONNX nodes); an optional op not listed is exported as its decomposition;
 * a mapping throws `Unmapped` for attrs it cannot express, and the exporter lists them all.
 * Tensors are NHWC in the table and NCHW in ONNX's Conv and pools: transposes wrap them.
 */
import type { DType } from "../dtype.js";
import type { OpName } from "../ops/table.js";
import { SELU_ALPHA, SELU_SCALE } from "../ops/scalar-math.js";
import type { OnnxAttr, OnnxDType } from "./onnx-proto.js";
import { isDimExpr, type DimExpr, type ProgramValue } from "./program.js";

/** A mapping cannot express this call (the message says why). */
export class Unmapped extends Error {}

/** What a mapping sees: its inputs' names and specs, attrs (with `$dim` values), and node builders. */
export interface MapContext {
  readonly inputs: readonly string[];
  readonly inSpecs: readonly ProgramValue[];
  readonly outSpecs: readonly ProgramValue[];
  readonly attrs: any;
  /** The opset being written (from 18 every reduction takes its axes as an input). */
  readonly opset: number;
  /** Add one ONNX node; returns its `outputs` fresh names. */
  node(opType: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>, outputs?: number): string[];
  /** A constant tensor (an initializer) of `dtype` with `dims` and `values`. */
  constant(dtype: OnnxDType, dims: readonly number[], values: readonly number[]): string;
  /** A 1-D int64 tensor whose entries may be `$dim` expressions (computed from the inputs' shapes). */
  int64s(values: readonly (number | DimExpr)[]): string;
}
/** One op's mapping: the ONNX names of its outputs, in order. */
export type OnnxMapping = (c: MapContext) => string[];

const isFloat = (d: DType) => d === "float32" || d === "float64";
const one = (opType: string, attrs?: (c: MapContext) => Record<string, OnnxAttr>): OnnxMapping => (c) => c.node(opType, c.inputs, attrs?.(c));
/** The same op on floats, the identity on integers (floor, ceil, round). */
const floatOnly = (opType: string): OnnxMapping => (c) => (isFloat(c.inSpecs[0]!.dtype) ? c.node(opType, c.inputs) : c.node("Identity", c.inputs));
const scalarOf = (c: MapContext, v: number, dtype: DType) => c.constant(dtype, [], [v]);
const ints = (v: readonly number[]): OnnxAttr => ({ ints: v });
const lastTwoSwapped = (rank: number) => [...Array(rank).keys()].map((i) => (i === rank - 2 ? rank - 1 : i === rank - 1 ? rank - 2 : i));
const toInt32 = (c: MapContext, name: string) => c.node("Cast", [name], { to: { i: 6 } })[0]!;

const int64 = (c: MapContext, name: string) => c.node("Cast", [name], { to: { i: 7 } })[0]!;
/** A tensor of x's shape and dtype filled with `v`. */
const likeOf = (c: MapContext, v: number) => {
  const dt = c.outSpecs[0]!.dtype;
  return c.node("ConstantOfShape", [c.node("Shape", c.inputs)[0]!], { value: { t: { dtype: dt as OnnxDType, dims: [1], raw: rawOf(dt, [v]) } } });
};

/** Linear forms `mul * N + add` over numbers and `$dim` values. */
const lin = (v: number | DimExpr): [number, number] => (isDimExpr(v) ? [v.$dim[0], v.$dim[1]] : [0, v]);
const fromLin = ([m, a]: [number, number]): number | DimExpr => (m === 0 ? a : { $dim: [m, a] });

function reduce(opType: string, axesAsInput: boolean): OnnxMapping {
  return (c) => {
    const { axes, keepDims } = c.attrs as { axes: number[]; keepDims: boolean };
    if (axes.length === 0) return c.node("Identity", c.inputs);
    if (axesAsInput || c.opset >= 18) return c.node(opType, [c.inputs[0]!, c.int64s(axes)], { keepdims: { i: keepDims ? 1 : 0 } });
    return c.node(opType, c.inputs, { axes: ints(axes), keepdims: { i: keepDims ? 1 : 0 } });
  };
}
function argReduce(opType: string): OnnxMapping {
  return (c) => {
    if (c.inSpecs[0]!.shape.length === 0) throw new Unmapped("a scalar input");
    return [toInt32(c, c.node(opType, c.inputs, { axis: { i: c.attrs.axis }, keepdims: { i: 0 } })[0]!)];
  };
}
const nhwcToNchw = (c: MapContext, x: string) => c.node("Transpose", [x], { perm: ints([0, 3, 1, 2]) })[0]!;
const nchwToNhwc = (c: MapContext, x: string) => c.node("Transpose", [x], { perm: ints([0, 2, 3, 1]) })[0]!;
const pads = (p: { top: number; left: number; bottom: number; right: number }) => ints([p.top, p.left, p.bottom, p.right]);

function conv(depthwise: boolean): OnnxMapping {
  return (c) => {
    const [x, f] = c.inputs as [string, string];
    const fs = c.inSpecs[1]!.shape as number[];
    const a = c.attrs as { strides: number[]; dilations: number[]; pad: { top: number; left: number; bottom: number; right: number } };
    // filter [kh, kw, cin, cout] -> [cout, cin, kh, kw]; depthwise [kh, kw, c, m] -> [c*m, 1, kh, kw] in groups of c
    const w = depthwise
      ? c.node("Transpose", [c.node("Reshape", [f, c.int64s([fs[0]!, fs[1]!, 1, fs[2]! * fs[3]!])])[0]!], { perm: ints([3, 2, 0, 1]) })[0]!
      : c.node("Transpose", [f], { perm: ints([3, 2, 0, 1]) })[0]!;
    const attrs: Record<string, OnnxAttr> = { strides: ints(a.strides), dilations: ints(a.dilations), pads: pads(a.pad), kernel_shape: ints([fs[0]!, fs[1]!]) };
    if (depthwise) attrs.group = { i: fs[2]! };
    return [nchwToNhwc(c, c.node("Conv", [nhwcToNchw(c, x), w], attrs)[0]!)];
  };
}
function pool(opType: string): OnnxMapping {
  return (c) => {
    const a = c.attrs as { filterSize: number[]; strides: number[]; pad: { top: number; left: number; bottom: number; right: number } };
    const attrs: Record<string, OnnxAttr> = { kernel_shape: ints(a.filterSize), strides: ints(a.strides), pads: pads(a.pad) };
    if (opType === "AveragePool") attrs.count_include_pad = { i: 0 };
    return [nchwToNhwc(c, c.node(opType, [nhwcToNchw(c, c.inputs[0]!)], attrs)[0]!)];
  };
}

/** atan2(y, x) from Atan and the quadrant rules (ONNX has no Atan2). */
const atan2: OnnxMapping = (c) => {
  const [y, x] = c.inputs as [string, string];
  const dt = c.inSpecs[0]!.dtype;
  const k = (v: number) => scalarOf(c, v, dt);
  const base = c.node("Atan", [c.node("Div", [y, x])[0]!])[0]!;
  const yNeg = c.node("Less", [y, k(0)])[0]!;
  const shift = c.node("Where", [yNeg, k(-Math.PI), k(Math.PI)])[0]!;
  const xNeg = c.node("Add", [base, shift])[0]!;
  const xZero = c.node("Where", [c.node("Greater", [y, k(0)])[0]!, k(Math.PI / 2), c.node("Where", [yNeg, k(-Math.PI / 2), k(0)])[0]!])[0]!;
  const r = c.node("Where", [c.node("Less", [x, k(0)])[0]!, xNeg, xZero])[0]!;
  return c.node("Where", [c.node("Greater", [x, k(0)])[0]!, base, r]);
};

/** Every direct mapping, by op name. Optional ops absent here are exported as their decomposition. */
export const onnxMappings: Partial<Record<OpName, OnnxMapping>> = {
  neg: one("Neg"),
  abs: one("Abs"),
  sign: one("Sign"),
  exp: one("Exp"),
  log: one("Log"),
  sqrt: one("Sqrt"),
  reciprocal: one("Reciprocal"),
  square: (c) => c.node("Mul", [c.inputs[0]!, c.inputs[0]!]),
  sin: one("Sin"),
  cos: one("Cos"),
  tan: one("Tan"),
  asin: one("Asin"),
  acos: one("Acos"),
  atan: one("Atan"),
  sinh: one("Sinh"),
  cosh: one("Cosh"),
  tanh: one("Tanh"),
  sigmoid: one("Sigmoid"),
  relu: one("Relu"),
  relu6: (c) => c.node("Clip", [c.inputs[0]!, scalarOf(c, 0, c.inSpecs[0]!.dtype), scalarOf(c, 6, c.inSpecs[0]!.dtype)]),
  elu: one("Elu", () => ({ alpha: { f: 1 } })),
  selu: one("Selu", () => ({ alpha: { f: SELU_ALPHA }, gamma: { f: SELU_SCALE } })),
  erf: one("Erf"),
  softsign: one("Softsign"),
  floor: floatOnly("Floor"),
  ceil: floatOnly("Ceil"),
  round: floatOnly("Round"),
  isNaN: (c) => (isFloat(c.inSpecs[0]!.dtype) ? c.node("IsNaN", c.inputs) : c.node("Not", [c.node("Equal", [c.inputs[0]!, c.inputs[0]!])[0]!])),
  logicalNot: one("Not"),
  stopGradient: one("Identity"),
  onesLike: (c) => likeOf(c, 1),
  zerosLike: (c) => likeOf(c, 0),
  clipByValue: (c) => c.node("Clip", [c.inputs[0]!, scalarOf(c, c.attrs.min, c.inSpecs[0]!.dtype), scalarOf(c, c.attrs.max, c.inSpecs[0]!.dtype)]),
  leakyRelu: one("LeakyRelu", (c) => ({ alpha: { f: c.attrs.alpha } })),
  fill: (c) => c.node("ConstantOfShape", [c.int64s(c.attrs.shape)], { value: { t: { dtype: c.attrs.dtype === "bool" ? "bool" : c.attrs.dtype, dims: [1], raw: rawOf(c.attrs.dtype, [c.attrs.value]) } } }),
  add: one("Add"),
  sub: one("Sub"),
  mul: one("Mul"),
  div: one("Div"),
  pow: one("Pow"),
  atan2,
  minimum: one("Min"),
  maximum: one("Max"),
  equal: one("Equal"),
  notEqual: (c) => c.node("Not", [c.node("Equal", c.inputs)[0]!]),
  less: one("Less"),
  lessEqual: one("LessOrEqual"),
  greater: one("Greater"),
  greaterEqual: one("GreaterOrEqual"),
  logicalAnd: one("And"),
  logicalOr: one("Or"),
  logicalXor: one("Xor"),
  where: one("Where"),
  cast: (c) => c.node("Cast", c.inputs, { to: { i: ({ float32: 1, int32: 6, bool: 9, float64: 11 } as const)[c.attrs.dtype as DType] } }),
  sum: reduce("ReduceSum", true),
  mean: reduce("ReduceMean", false),
  prod: reduce("ReduceProd", false),
  max: reduce("ReduceMax", false),
  min: reduce("ReduceMin", false),
  argMax: argReduce("ArgMax"),
  argMin: argReduce("ArgMin"),
  topk: (c) => {
    const [values, indices] = c.node("TopK", [c.inputs[0]!, c.int64s([c.attrs.k])], { axis: { i: -1 }, largest: { i: 1 }, sorted: { i: c.attrs.sorted ? 1 : 0 } }, 2);
    return [values!, toInt32(c, indices!)];
  },
  cumsum: (c) => c.node("CumSum", [c.inputs[0]!, c.constant("int64", [], [c.attrs.axis])], { exclusive: { i: c.attrs.exclusive ? 1 : 0 }, reverse: { i: c.attrs.reverse ? 1 : 0 } }),
  reshape: (c) => c.node("Reshape", [c.inputs[0]!, c.int64s(c.attrs.shape)], { allowzero: { i: 1 } }),
  broadcastTo: (c) => c.node("Expand", [c.inputs[0]!, c.int64s(c.attrs.shape)]),
  transpose: (c) => (c.attrs.perm.length === 0 ? c.node("Identity", c.inputs) : c.node("Transpose", c.inputs, { perm: ints(c.attrs.perm) })),
  stridedSlice: (c) => {
    const { begin, size, strides } = c.attrs as { begin: (number | DimExpr)[]; size: (number | DimExpr)[]; strides: number[] };
    if (begin.length === 0) return c.node("Identity", c.inputs);
    // end = begin + (size - 1) * stride + sign(stride); a negative stride may run past index 0
    const ends = begin.map((b, i) => {
      const [bm, ba] = lin(b);
      const [sm, sa] = lin(size[i]!);
      const st = strides[i]!;
      const e: [number, number] = [bm + sm * st, ba + (sa - 1) * st + Math.sign(st)];
      if (e[0] === 0 && e[1] < 0) return -(2 ** 53) + 1;
      return fromLin(e);
    });
    return c.node("Slice", [c.inputs[0]!, c.int64s(begin), c.int64s(ends), c.int64s(begin.map((_, i) => i)), c.int64s(strides)]);
  },
  pad: (c) => {
    const p = c.attrs.paddings as [number | DimExpr, number | DimExpr][];
    if (p.length === 0) return c.node("Identity", c.inputs);
    return c.node("Pad", [c.inputs[0]!, c.int64s([...p.map((q) => q[0]), ...p.map((q) => q[1])]), scalarOf(c, c.attrs.constantValue, c.inSpecs[0]!.dtype)], { mode: { s: "constant" } });
  },
  concat: one("Concat", (c) => ({ axis: { i: c.attrs.axis } })),
  matmul: (c) => {
    const [a, b] = c.inputs.map((x, i) => ((i === 0 ? c.attrs.transposeA : c.attrs.transposeB) ? c.node("Transpose", [x], { perm: ints(lastTwoSwapped(c.inSpecs[i]!.shape.length)) })[0]! : x));
    return c.node("MatMul", [a!, b!]);
  },
  gather: (c) => {
    if (c.attrs.batchDims !== 0) throw new Unmapped(`batchDims ${c.attrs.batchDims} (ONNX Gather has none)`);
    return c.node("Gather", c.inputs, { axis: { i: c.attrs.axis } });
  },
  unsortedSegmentSum: (c) => {
    const { axis, batchDims, numSegments } = c.attrs as { axis: number; batchDims: number; numSegments: number };
    if (batchDims !== 0) throw new Unmapped(`batchDims ${batchDims} (ScatterND has no batch dimensions)`);
    // x [pre, idx, post] -> [idx, pre, post]; scatter-add rows into zeros [S, pre, post]; move S back to `axis`
    const rx = c.inSpecs[0]!.shape.length, ri = c.inSpecs[1]!.shape.length;
    const perm = [...Array(ri).keys()].map((i) => axis + i);
    for (let i = 0; i < rx; i++) if (i < axis || i >= axis + ri) perm.push(i);
    const xt = axis === 0 ? c.inputs[0]! : c.node("Transpose", [c.inputs[0]!], { perm: ints(perm) })[0]!;
    const rest = c.node("Shape", [xt], { start: { i: ri } })[0]!;
    const shape = c.node("Concat", [c.int64s([numSegments]), rest], { axis: { i: 0 } })[0]!;
    const dt = c.outSpecs[0]!.dtype;
    const zeros = c.node("ConstantOfShape", [shape], { value: { t: { dtype: dt as OnnxDType, dims: [1], raw: rawOf(dt, [0]) } } })[0]!;
    const idx = c.node("Unsqueeze", [int64(c, c.inputs[1]!), c.int64s([-1])])[0]!;
    const y = c.node("ScatterND", [zeros, idx, xt], { reduction: { s: "add" } })[0]!;
    if (axis === 0) return [y];
    const back = [...Array(rx - ri + 1).keys()].map((i) => (i < axis ? i + 1 : i === axis ? 0 : i));
    return c.node("Transpose", [y], { perm: ints(back) });
  },
  gatherND: (c) => c.node("GatherND", [c.inputs[0]!, int64(c, c.inputs[1]!)]),
  scatterND: (c) => {
    const out = c.outSpecs[0]!;
    const zeros = c.node("ConstantOfShape", [c.int64s(c.attrs.shape)], { value: { t: { dtype: out.dtype as OnnxDType, dims: [1], raw: rawOf(out.dtype, [0]) } } })[0]!;
    return c.node("ScatterND", [zeros, int64(c, c.inputs[0]!), c.inputs[1]!], { reduction: { s: "add" } });
  },
  oneHot: (c) => {
    const a = c.attrs as { depth: number; onValue: number; offValue: number; dtype: DType };
    const y = c.node("OneHot", [int64(c, c.inputs[0]!), c.constant("int64", [], [a.depth]), c.constant("float32", [2], [a.offValue, a.onValue])], { axis: { i: -1 } });
    return a.dtype === "float32" ? y : c.node("Cast", y, { to: { i: ({ float32: 1, int32: 6, bool: 9, float64: 11 } as const)[a.dtype] } });
  },
  conv2d: conv(false),
  depthwiseConv2d: conv(true),
  maxPool: pool("MaxPool"),
  avgPool: pool("AveragePool"),
};

/** Little-endian bytes of `values` as `dtype` (int64 for shape tensors). */
export function rawOf(dtype: DType | "int64", values: readonly number[]): Uint8Array {
  const n = values.length;
  if (dtype === "int64") {
    const a = new BigInt64Array(n);
    values.forEach((v, i) => (a[i] = BigInt(v)));
    return new Uint8Array(a.buffer);
  }
  if (dtype === "float32") return new Uint8Array(Float32Array.from(values).buffer);
  if (dtype === "float64") return new Uint8Array(Float64Array.from(values).buffer);
  if (dtype === "int32") return new Uint8Array(Int32Array.from(values).buffer);
  return Uint8Array.from(values, (v) => (v ? 1 : 0));
}
