/**
 * Elementwise ops: unary, binary (NumPy broadcasting), where, cast and fill. Each op is one
 * line-sized record: its scalar reference function, dtype rule and gradient in tensor ops.
 */
import { DTYPES, isFloat, type DType } from "../dtype.js";
import { DTypeError, InvalidArgumentError } from "../errors.js";
import { broadcastPair, broadcastShapes, validateShape } from "../shape.js";
import * as T from "../api/elementwise.js";
import type { Tensor } from "../tensor.js";
import { defineOp, type OpDef, type OpTestCase, type Vjp } from "./def.js";
import { mapBinary, mapTernary, mapUnary } from "./ref-util.js";
import * as S from "./scalar-math.js";

type NoAttrs = Record<string, never>;
type Range = readonly [number, number];

const UNARY_CASES: OpTestCase<NoAttrs>[] = [{ shapes: [[]], attrs: {} }, { shapes: [[0]], attrs: {} }, { shapes: [[7]], attrs: {} }, { shapes: [[3, 4]], attrs: {} }, { shapes: [[2, 3, 5]], attrs: {} }];
const BINARY_CASES: OpTestCase<NoAttrs>[] = [
  { shapes: [[3, 4], [3, 4]], attrs: {} },
  { shapes: [[3, 4], [4]], attrs: {} },
  { shapes: [[2, 1, 3], [4, 1]], attrs: {} },
  { shapes: [[], [5]], attrs: {} },
  { shapes: [[0, 3], [1, 3]], attrs: {} },
];

interface UnaryOptions {
  /** "float": ints are cast to float32 first; "arith": bool is cast to int32; unset: any dtype. */
  readonly promote?: "float" | "arith";
  /** Output dtype when it is not the (promoted) input dtype. */
  readonly out?: DType;
  readonly inputDTypes?: readonly DType[];
  readonly saves: "x" | "y" | "none";
  readonly domain?: Range;
  readonly noGradCheck?: string;
}

function unary(name: string, f: (x: number) => number, vjp: Vjp<NoAttrs> | "none", o: UnaryOptions): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name,
    family: "unary",
    arity: 1,
    promote: o.promote,
    inputDTypes: o.inputDTypes,
    infer: ([x]) => [{ shape: x!.shape, dtype: o.out ?? x!.dtype }],
    ref: ([x], [y]) => mapUnary(x!, y!, f),
    scalar: f,
    saves: { inputs: o.saves === "x", outputs: o.saves === "y" },
    vjp,
    test: { cases: UNARY_CASES, domain: o.domain, noGradCheck: o.noGradCheck },
  });
}

interface BinaryOptions {
  readonly promote: "float" | "arith" | "common";
  readonly out?: DType;
  readonly inputDTypes?: readonly DType[];
  readonly domain?: Range | readonly Range[];
  readonly noGradCheck?: string;
  readonly saves?: boolean;
}

function binary(name: string, f: (a: number, b: number) => number, vjp: Vjp<NoAttrs> | "none", o: BinaryOptions): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name,
    family: "binary",
    arity: 2,
    promote: o.promote,
    inputDTypes: o.inputDTypes,
    infer: ([a, b]) => [{ shape: broadcastPair(name, a!.shape, b!.shape), dtype: o.out ?? a!.dtype }],
    ref: ([a, b], [y]) => mapBinary(a!, b!, y!, f),
    scalar: f,
    saves: { inputs: o.saves ?? vjp !== "none" },
    vjp,
    test: { cases: BINARY_CASES, domain: o.domain, noGradCheck: o.noGradCheck },
  });
}

const x0 = (c: { inputs: readonly Tensor[] }) => c.inputs[0]!;
const y0 = (c: { outputs: readonly Tensor[] }) => c.outputs[0]!;
const PIECEWISE = "piecewise constant: the gradient is zero wherever it exists";
const ALL = DTYPES;
const SQRT_2_OVER_PI_HALF = 0.3989422804014327; // 1/sqrt(2 pi)

export const elementwiseOps = {
  // d(-x) = -dy
  neg: unary("neg", (x) => -x, ([g]) => [T.neg(g!)], { promote: "arith", saves: "none" }),
  // d|x| = sign(x) dy
  abs: unary("abs", Math.abs, ([g], c) => [T.mul(g!, T.sign(x0(c)))], { promote: "arith", saves: "x" }),
  sign: unary("sign", Math.sign, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  // d(e^x) = e^x dy
  exp: unary("exp", Math.exp, ([g], c) => [T.mul(g!, y0(c))], { promote: "float", saves: "y" }),
  // d(e^x - 1) = (y + 1) dy
  expm1: unary("expm1", Math.expm1, ([g], c) => [T.mul(g!, T.add(y0(c), 1))], { promote: "float", saves: "y" }),
  // d(log x) = dy / x
  log: unary("log", Math.log, ([g], c) => [T.div(g!, x0(c))], { promote: "float", saves: "x", domain: [0.2, 3] }),
  // d(log(1 + x)) = dy / (1 + x)
  log1p: unary("log1p", Math.log1p, ([g], c) => [T.div(g!, T.add(x0(c), 1))], { promote: "float", saves: "x", domain: [-0.8, 3] }),
  // d(sqrt x) = dy / (2 sqrt x)
  sqrt: unary("sqrt", Math.sqrt, ([g], c) => [T.div(g!, T.mul(y0(c), 2))], { promote: "float", saves: "y", domain: [0.2, 3] }),
  // d(x^-1/2) = -1/2 x^-3/2 dy = -1/2 y^3 dy
  rsqrt: unary("rsqrt", (x) => 1 / Math.sqrt(x), ([g], c) => [T.mul(g!, T.mul(T.pow(y0(c), 3), -0.5))], { promote: "float", saves: "y", domain: [0.2, 3] }),
  // d(x^2) = 2 x dy
  square: unary("square", (x) => x * x, ([g], c) => [T.mul(g!, T.mul(x0(c), 2))], { promote: "arith", saves: "x" }),
  // d(1/x) = -y^2 dy
  reciprocal: unary("reciprocal", (x) => 1 / x, ([g], c) => [T.neg(T.mul(g!, T.square(y0(c))))], { promote: "float", saves: "y", domain: [0.3, 3] }),
  // d(sin x) = cos x dy
  sin: unary("sin", Math.sin, ([g], c) => [T.mul(g!, T.cos(x0(c)))], { promote: "float", saves: "x" }),
  // d(cos x) = -sin x dy
  cos: unary("cos", Math.cos, ([g], c) => [T.neg(T.mul(g!, T.sin(x0(c))))], { promote: "float", saves: "x" }),
  // d(tan x) = (1 + y^2) dy
  tan: unary("tan", Math.tan, ([g], c) => [T.mul(g!, T.add(T.square(y0(c)), 1))], { promote: "float", saves: "y", domain: [-1.2, 1.2] }),
  // d(asin x) = dy / sqrt(1 - x^2)
  asin: unary("asin", Math.asin, ([g], c) => [T.mul(g!, T.rsqrt(T.sub(1, T.square(x0(c)))))], { promote: "float", saves: "x", domain: [-0.9, 0.9] }),
  // d(acos x) = -dy / sqrt(1 - x^2)
  acos: unary("acos", Math.acos, ([g], c) => [T.neg(T.mul(g!, T.rsqrt(T.sub(1, T.square(x0(c))))))], { promote: "float", saves: "x", domain: [-0.9, 0.9] }),
  // d(atan x) = dy / (1 + x^2)
  atan: unary("atan", Math.atan, ([g], c) => [T.div(g!, T.add(T.square(x0(c)), 1))], { promote: "float", saves: "x" }),
  // d(sinh x) = cosh x dy
  sinh: unary("sinh", Math.sinh, ([g], c) => [T.mul(g!, T.cosh(x0(c)))], { promote: "float", saves: "x" }),
  // d(cosh x) = sinh x dy
  cosh: unary("cosh", Math.cosh, ([g], c) => [T.mul(g!, T.sinh(x0(c)))], { promote: "float", saves: "x" }),
  // d(tanh x) = (1 - y^2) dy
  tanh: unary("tanh", Math.tanh, ([g], c) => [T.mul(g!, T.sub(1, T.square(y0(c))))], { promote: "float", saves: "y" }),
  // d(sigmoid x) = y (1 - y) dy
  sigmoid: unary("sigmoid", S.sigmoid, ([g], c) => [T.mul(g!, T.mul(y0(c), T.sub(1, y0(c))))], { promote: "float", saves: "y" }),
  // d(softplus x) = sigmoid(x) dy
  softplus: unary("softplus", S.softplus, ([g], c) => [T.mul(g!, T.sigmoid(x0(c)))], { promote: "float", saves: "x" }),
  // d(relu x) = [x > 0] dy
  relu: unary("relu", (x) => (x > 0 ? x : x === x ? 0 : x), ([g], c) => [T.mul(g!, T.cast(T.greater(x0(c), 0), g!.dtype))], { promote: "arith", saves: "x" }),
  // d(relu6 x) = [0 < x < 6] dy
  relu6: unary("relu6", (x) => Math.min(Math.max(x, 0), 6), ([g], c) => [T.mul(g!, T.cast(T.logicalAnd(T.greater(x0(c), 0), T.less(x0(c), 6)), g!.dtype))], {
    promote: "arith",
    saves: "x",
    domain: [-3, 9],
  }),
  // d(elu x) = dy if x > 0 else (y + 1) dy
  elu: unary("elu", (x) => (x > 0 ? x : Math.expm1(x)), ([g], c) => [T.where(T.greater(x0(c), 0), g!, T.mul(g!, T.add(T.elu(x0(c)), 1)))], { promote: "float", saves: "x" }),
  // d(selu x) = scale dy if x > 0 else scale alpha e^x dy
  selu: unary(
    "selu",
    (x) => S.SELU_SCALE * (x > 0 ? x : S.SELU_ALPHA * Math.expm1(x)),
    ([g], c) => [T.mul(g!, T.where(T.greater(x0(c), 0), S.SELU_SCALE, T.mul(T.exp(x0(c)), S.SELU_SCALE * S.SELU_ALPHA)))],
    { promote: "float", saves: "x" },
  ),
  // d(gelu x) = (Phi(x) + x phi(x)) dy
  gelu: unary(
    "gelu",
    S.gelu,
    ([g], c) => {
      const x = x0(c);
      const cdf = T.mul(T.add(T.erf(T.mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = T.mul(T.exp(T.mul(T.square(x), -0.5)), SQRT_2_OVER_PI_HALF);
      return [T.mul(g!, T.add(cdf, T.mul(x, pdf)))];
    },
    { promote: "float", saves: "x" },
  ),
  // d(erf x) = 2/sqrt(pi) e^(-x^2) dy
  erf: unary("erf", S.erf, ([g], c) => [T.mul(g!, T.mul(T.exp(T.neg(T.square(x0(c)))), 2 / Math.sqrt(Math.PI)))], { promote: "float", saves: "x" }),
  floor: unary("floor", Math.floor, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  ceil: unary("ceil", Math.ceil, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  round: unary("round", S.roundHalfEven, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  isNaN: unary("isNaN", (x) => (Number.isNaN(x) ? 1 : 0), "none", { out: "bool", saves: "none", noGradCheck: "bool output" }),
  isFinite: unary("isFinite", (x) => (Number.isFinite(x) ? 1 : 0), "none", { out: "bool", saves: "none", noGradCheck: "bool output" }),
  logicalNot: unary("logicalNot", (x) => (x ? 0 : 1), "none", { out: "bool", inputDTypes: ["bool"], saves: "none", noGradCheck: "bool output" }),
  // A tensor of ones (zeros) with x's shape, dtype and device; x's values are not read.
  onesLike: unary("onesLike", () => 1, () => [null], { saves: "none", noGradCheck: "constant output" }),
  zerosLike: unary("zerosLike", () => 0, () => [null], { saves: "none", noGradCheck: "constant output" }),
  // The identity, with no gradient: d = 0
  stopGradient: unary("stopGradient", (x) => x, () => [null], { saves: "none", noGradCheck: "its gradient is zero by definition" }),

  // d(a + b) = (dy, dy)
  add: binary("add", (a, b) => a + b, ([g]) => [g!, g!], { promote: "arith", saves: false }),
  // d(a - b) = (dy, -dy)
  sub: binary("sub", (a, b) => a - b, ([g]) => [g!, T.neg(g!)], { promote: "arith", saves: false }),
  // d(a b) = (b dy, a dy)
  mul: binary("mul", (a, b) => a * b, ([g], c) => [T.mul(g!, c.inputs[1]!), T.mul(g!, c.inputs[0]!)], { promote: "arith" }),
  // d(a / b) = (dy / b, -a dy / b^2)
  div: binary("div", (a, b) => a / b, ([g], c) => [T.div(g!, c.inputs[1]!), T.neg(T.div(T.mul(g!, c.inputs[0]!), T.square(c.inputs[1]!)))], {
    promote: "float",
    domain: [[-2, 2], [0.5, 2]],
  }),
  floorDiv: binary("floorDiv", S.floorDiv, () => [null, null], { promote: "arith", saves: false, noGradCheck: PIECEWISE, domain: [[-5, 5], [0.5, 2]] }),
  // d(a mod b) = (dy, -floor(a / b) dy)
  mod: binary("mod", S.floorMod, ([g], c) => [g!, T.neg(T.mul(g!, T.floorDiv(c.inputs[0]!, c.inputs[1]!)))], {
    promote: "arith",
    domain: [[0.1, 0.9], [1.1, 2]],
  }),
  // d(a^b) = (b a^(b-1) dy, a^b log(a) dy)
  pow: binary(
    "pow",
    Math.pow,
    ([g], c) => {
      const [a, b] = c.inputs as [Tensor, Tensor];
      const da = T.mul(g!, T.mul(b, T.pow(a, T.sub(b, 1))));
      const safeLog = T.where(T.greater(a, 0), T.log(T.where(T.greater(a, 0), a, 1)), 0);
      return [da, T.mul(g!, T.mul(T.pow(a, b), safeLog))];
    },
    { promote: "arith", domain: [[0.5, 2], [-2, 2]] },
  ),
  // d(atan2(a, b)) = (b dy, -a dy) / (a^2 + b^2)
  atan2: binary(
    "atan2",
    Math.atan2,
    ([g], c) => {
      const [a, b] = c.inputs as [Tensor, Tensor];
      const r = T.add(T.square(a), T.square(b));
      return [T.div(T.mul(g!, b), r), T.neg(T.div(T.mul(g!, a), r))];
    },
    { promote: "float", domain: [[0.5, 2], [0.5, 2]] },
  ),
  // The gradient goes to the smaller input (to a on ties).
  minimum: binary("minimum", (a, b) => (a !== a || b !== b ? NaN : Math.min(a, b)), ([g], c) => {
    const m = T.lessEqual(c.inputs[0]!, c.inputs[1]!);
    return [T.where(m, g!, 0), T.where(m, 0, g!)];
  }, { promote: "arith" }),
  // The gradient goes to the larger input (to a on ties).
  maximum: binary("maximum", (a, b) => (a !== a || b !== b ? NaN : Math.max(a, b)), ([g], c) => {
    const m = T.greaterEqual(c.inputs[0]!, c.inputs[1]!);
    return [T.where(m, g!, 0), T.where(m, 0, g!)];
  }, { promote: "arith" }),
  equal: binary("equal", (a, b) => (a === b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  notEqual: binary("notEqual", (a, b) => (a !== b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  less: binary("less", (a, b) => (a < b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  lessEqual: binary("lessEqual", (a, b) => (a <= b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  greater: binary("greater", (a, b) => (a > b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  greaterEqual: binary("greaterEqual", (a, b) => (a >= b ? 1 : 0), "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  logicalAnd: binary("logicalAnd", (a, b) => (a && b ? 1 : 0), "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }),
  logicalOr: binary("logicalOr", (a, b) => (a || b ? 1 : 0), "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }),
  logicalXor: binary("logicalXor", (a, b) => ((a ? 1 : 0) !== (b ? 1 : 0) ? 1 : 0), "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }),

  /** Pick from a where cond is true, else from b (all three broadcast). d = (-, [c] dy, [!c] dy) */
  where: defineOp<NoAttrs>({
    name: "where",
    family: "ternary",
    arity: 3,
    infer: ([c, a, b]) => {
      if (c!.dtype !== "bool") throw new DTypeError(`where: condition must be bool, got ${c!.dtype}`);
      if (a!.dtype !== b!.dtype) throw new DTypeError(`where: a is ${a!.dtype} but b is ${b!.dtype}; they must match`);
      return [{ shape: broadcastShapes("where", c!.shape, a!.shape, b!.shape), dtype: a!.dtype }];
    },
    ref: ([c, a, b], [y]) => mapTernary(c!, a!, b!, y!, (k, u, v) => (k ? u : v)),
    saves: { inputs: true },
    vjp: ([g], c) => [null, T.where(c.inputs[0]!, g!, 0), T.where(c.inputs[0]!, 0, g!)],
    test: {
      cases: [
        { shapes: [[3, 4], [3, 4], [3, 4]], dtypes: ["bool", "float32", "float32"], attrs: {} },
        { shapes: [[3, 1], [4], []], dtypes: ["bool", "float32", "float32"], attrs: {} },
      ],
    },
  }),

  /** Clip to [min, max]. d = [min <= x <= max] dy */
  clipByValue: defineOp<{ min: number; max: number }>({
    name: "clipByValue",
    family: "unary",
    arity: 1,
    promote: "arith",
    infer: ([x], a) => {
      if (typeof a.min !== "number" || typeof a.max !== "number" || Number.isNaN(a.min) || Number.isNaN(a.max) || a.min > a.max)
        throw new InvalidArgumentError(`clipByValue: need numbers min <= max, got min=${a.min}, max=${a.max}`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => mapUnary(x!, y!, (v) => (v !== v ? v : Math.min(Math.max(v, a.min), a.max))),
    saves: { inputs: true },
    vjp: ([g], c) => [T.mul(g!, T.cast(T.logicalAnd(T.greaterEqual(c.inputs[0]!, c.attrs.min), T.lessEqual(c.inputs[0]!, c.attrs.max)), g!.dtype))],
    test: { cases: [{ shapes: [[4, 5]], attrs: { min: -0.5, max: 0.7 } }, { shapes: [[]], attrs: { min: 0, max: 1 } }] },
  }),

  /** Leaky ReLU. d = dy if x > 0 else alpha dy */
  leakyRelu: defineOp<{ alpha: number }>({
    name: "leakyRelu",
    family: "unary",
    arity: 1,
    promote: "float",
    infer: ([x], a) => {
      if (typeof a.alpha !== "number" || !Number.isFinite(a.alpha)) throw new InvalidArgumentError(`leakyRelu: alpha must be a finite number, got ${a.alpha}`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    ref: ([x], [y], a) => mapUnary(x!, y!, (v) => (v > 0 ? v : a.alpha * v)),
    saves: { inputs: true },
    vjp: ([g], c) => [T.where(T.greater(c.inputs[0]!, 0), g!, T.mul(g!, c.attrs.alpha))],
    test: { cases: [{ shapes: [[3, 4]], attrs: { alpha: 0.2 } }, { shapes: [[]], attrs: { alpha: 0.01 } }] },
  }),

  /** Convert to another dtype. d = cast(dy, x.dtype) between float types */
  cast: defineOp<{ dtype: DType }>({
    name: "cast",
    family: "cast",
    arity: 1,
    infer: ([x], a) => {
      if (!ALL.includes(a.dtype)) throw new DTypeError(`cast: unknown dtype ${JSON.stringify(a.dtype)}`);
      return [{ shape: x!.shape, dtype: a.dtype }];
    },
    ref: ([x], [y], a) =>
      mapUnary(x!, y!, a.dtype === "bool" ? (v) => (v !== 0 && v === v ? 1 : 0) : a.dtype === "int32" ? (v) => (Number.isFinite(v) ? Math.trunc(v) : 0) : (v) => v),
    saves: {},
    vjp: ([g], c) => [isFloat(c.inputSpecs[0]!.dtype) && isFloat(g!.dtype) ? T.cast(g!, c.inputSpecs[0]!.dtype) : null],
    test: {
      cases: [
        { shapes: [[3, 4]], attrs: { dtype: "int32" } },
        { shapes: [[3, 4]], attrs: { dtype: "bool" } },
        { shapes: [[5]], dtypes: ["int32"], attrs: { dtype: "float32" } },
        { shapes: [[2, 2]], attrs: { dtype: "float64" } },
      ],
    },
  }),

  /** A tensor of `shape` filled with `value`. No inputs. */
  fill: defineOp<{ shape: readonly number[]; dtype: DType; value: number }>({
    name: "fill",
    family: "unary",
    arity: 0,
    infer: (_, a) => {
      if (!ALL.includes(a.dtype)) throw new DTypeError(`fill: unknown dtype ${JSON.stringify(a.dtype)}`);
      if (typeof a.value !== "number") throw new InvalidArgumentError(`fill: value must be a number, got ${typeof a.value}`);
      return [{ shape: validateShape(a.shape, "fill"), dtype: a.dtype }];
    },
    ref: (_, [y], a) => {
      y!.data.fill(a.dtype === "bool" ? (a.value ? 1 : 0) : a.value);
    },
    saves: {},
    vjp: () => [],
    test: { cases: [{ shapes: [], attrs: { shape: [2, 3], dtype: "float32", value: 1.5 } }, { shapes: [], attrs: { shape: [4], dtype: "int32", value: 7 } }] },
  }),
};
