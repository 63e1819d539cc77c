/**
 * Elementwise ops: unary, binary (NumPy broadcasting), where, cast and fill. Each op is one
 * line-sized record: its scalar IR expression (the one definition of its math: the reference
 * kernel runs it in JavaScript, every backend lowers it), dtype rule and gradient in tensor ops.
 */
import { DTYPES, isFloat, type DType } from "../dtype.js";
import { DTypeError, InvalidArgumentError } from "../errors.js";
import { broadcastPair, broadcastShapes, validateShape } from "../shape.js";
import { P } from "./primitives.js";
import type { Tensor } from "../tensor.js";
import { defineOp, optional, type OpDef, type OpTestCase, type Vjp } from "./def.js";
import { ERF_ATOL, erfPolynomial, expm1Stable, scalar } from "./decompose-util.js";
import * as S from "./scalar-math.js";
import * as I from "../ir/builder.js";
import type { Expr } from "../ir/expr.js";
import { referenceKernel, scalarFunction, type ElementwiseExpr } from "../ir/instantiate.js";

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

/** A lazily compiled float64 scalar function of an expression (for kernels that map plain numbers). */
function lazyScalar(expr: ElementwiseExpr, arity: number): (...x: number[]) => number {
  let f: ((...x: number[]) => number) | undefined;
  return (...x) => (f ??= scalarFunction(expr, arity))(...x);
}

function unary(name: string, f: (x: Expr) => Expr, vjp: Vjp<NoAttrs> | "none", o: UnaryOptions): OpDef<NoAttrs> {
  const expr: ElementwiseExpr = ([x]) => f(x!);
  return defineOp<NoAttrs>({
    name,
    family: "unary",
    arity: 1,
    promote: o.promote,
    inputDTypes: o.inputDTypes,
    infer: ([x]) => [{ shape: x!.shape, dtype: o.out ?? x!.dtype }],
    expr,
    ref: referenceKernel(expr),
    scalar: lazyScalar(expr, 1),
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

function binary(name: string, f: (a: Expr, b: Expr) => Expr, vjp: Vjp<NoAttrs> | "none", o: BinaryOptions): OpDef<NoAttrs> {
  const expr: ElementwiseExpr = ([a, b]) => f(a!, b!);
  return defineOp<NoAttrs>({
    name,
    family: "binary",
    arity: 2,
    promote: o.promote,
    inputDTypes: o.inputDTypes,
    infer: ([a, b]) => [{ shape: broadcastPair(name, a!.shape, b!.shape), dtype: o.out ?? a!.dtype }],
    expr,
    ref: referenceKernel(expr),
    scalar: lazyScalar(expr, 2),
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

const WHERE_EXPR: ElementwiseExpr = ([c, a, b]) => I.select(c!, a!, b!);
const CLIP_EXPR: ElementwiseExpr<{ min: number; max: number }> = ([x], a) => I.min(I.max(x!, I.cast(a.min, x!.dtype)), I.cast(a.max, x!.dtype));
const LEAKY_RELU_EXPR: ElementwiseExpr<{ alpha: number }> = ([x], a) => I.select(I.gt(x!, 0), x!, I.mul(x!, I.cast(a.alpha, x!.dtype)));
// Non-finite floats become 0 in int32 (the IR leaves out-of-range float to int32 casts to the device).
const CAST_EXPR: ElementwiseExpr<{ dtype: DType }> = ([x], a) => I.cast(a.dtype === "int32" ? I.select(I.isFinite(x!), x!, I.constant(0, x!.dtype)) : x!, a.dtype);

export const elementwiseOps = {
  // d(-x) = -dy
  neg: unary("neg", I.neg, ([g]) => [P.neg(g!)], { promote: "arith", saves: "none" }),
  // d|x| = sign(x) dy
  abs: unary("abs", I.abs, ([g], c) => [P.mul(g!, P.sign(x0(c)))], { promote: "arith", saves: "x" }),
  sign: unary("sign", I.sign, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  // d(e^x) = e^x dy
  exp: unary("exp", I.exp, ([g], c) => [P.mul(g!, y0(c))], { promote: "float", saves: "y" }),
  // d(e^x - 1) = (y + 1) dy
  expm1: optional(unary("expm1", I.expm1, ([g], c) => [P.mul(g!, P.add(y0(c), 1))], { promote: "float", saves: "y" }), ([x]) => [expm1Stable(x!)]),
  // d(log x) = dy / x
  log: unary("log", I.log, ([g], c) => [P.div(g!, x0(c))], { promote: "float", saves: "x", domain: [0.2, 3] }),
  // d(log(1 + x)) = dy / (1 + x)
  log1p: optional(unary("log1p", I.log1p, ([g], c) => [P.div(g!, P.add(x0(c), 1))], { promote: "float", saves: "x", domain: [-0.8, 3] }), ([x]) => {
    // Goldberg's log1p: log(u) * x / (u - 1) with u = 1 + x cancels the rounding of u
    const u = P.add(x!, 1);
    return [P.where(P.equal(u, 1), x!, P.where(P.equal(u, Infinity), u, P.div(P.mul(P.log(u), x!), P.sub(u, 1))))];
  }),
  // d(sqrt x) = dy / (2 sqrt x)
  sqrt: unary("sqrt", I.sqrt, ([g], c) => [P.div(g!, P.mul(y0(c), 2))], { promote: "float", saves: "y", domain: [0.2, 3] }),
  // d(x^-1/2) = -1/2 x^-3/2 dy = -1/2 y^3 dy
  rsqrt: optional(unary("rsqrt", (x) => I.div(1, I.sqrt(x)), ([g], c) => [P.mul(g!, P.mul(P.pow(y0(c), 3), -0.5))], { promote: "float", saves: "y", domain: [0.2, 3] }), ([x]) => [P.div(1, P.sqrt(x!))]),
  // d(x^2) = 2 x dy
  square: optional(unary("square", I.square, ([g], c) => [P.mul(g!, P.mul(x0(c), 2))], { promote: "arith", saves: "x" }), ([x]) => [P.mul(x!, x!)]),
  // d(1/x) = -y^2 dy
  reciprocal: optional(unary("reciprocal", (x) => I.div(1, x), ([g], c) => [P.neg(P.mul(g!, P.square(y0(c))))], { promote: "float", saves: "y", domain: [0.3, 3] }), ([x]) => [P.div(1, x!)]),
  // d(sin x) = cos x dy
  sin: unary("sin", I.sin, ([g], c) => [P.mul(g!, P.cos(x0(c)))], { promote: "float", saves: "x" }),
  // d(cos x) = -sin x dy
  cos: unary("cos", I.cos, ([g], c) => [P.neg(P.mul(g!, P.sin(x0(c))))], { promote: "float", saves: "x" }),
  // d(tan x) = (1 + y^2) dy
  tan: optional(unary("tan", (x) => I.div(I.sin(x), I.cos(x)), ([g], c) => [P.mul(g!, P.add(P.square(y0(c)), 1))], { promote: "float", saves: "y", domain: [-1.2, 1.2] }), ([x]) => [P.div(P.sin(x!), P.cos(x!))]),
  // d(asin x) = dy / sqrt(1 - x^2)
  asin: optional(unary("asin", (x) => I.atan2(x, I.sqrt(I.mul(I.sub(1, x), I.add(x, 1)))), ([g], c) => [P.mul(g!, P.rsqrt(P.sub(1, P.square(x0(c)))))], { promote: "float", saves: "x", domain: [-0.9, 0.9] }), ([x]) => [P.atan2(x!, P.sqrt(P.mul(P.sub(1, x!), P.add(x!, 1))))]),
  // d(acos x) = -dy / sqrt(1 - x^2)
  acos: optional(unary("acos", (x) => I.atan2(I.sqrt(I.mul(I.sub(1, x), I.add(x, 1))), x), ([g], c) => [P.neg(P.mul(g!, P.rsqrt(P.sub(1, P.square(x0(c))))))], { promote: "float", saves: "x", domain: [-0.9, 0.9] }), ([x]) => [P.atan2(P.sqrt(P.mul(P.sub(1, x!), P.add(x!, 1))), x!)]),
  // d(atan x) = dy / (1 + x^2)
  atan: optional(unary("atan", I.atan, ([g], c) => [P.div(g!, P.add(P.square(x0(c)), 1))], { promote: "float", saves: "x" }), ([x]) => [P.atan2(x!, 1)]),
  // d(sinh x) = cosh x dy
  sinh: optional(unary("sinh", (x) => I.mul(I.sub(I.expm1(x), I.expm1(I.neg(x))), 0.5), ([g], c) => [P.mul(g!, P.cosh(x0(c)))], { promote: "float", saves: "x" }), ([x]) => {
    // sinh|x| = (e + e / (e + 1)) / 2 with e = expm1|x| (no cancellation near 0), then the sign of x
    const e = P.expm1(P.abs(x!));
    const s = P.where(P.equal(e, Infinity), e, P.mul(P.add(e, P.div(e, P.add(e, 1))), 0.5));
    return [P.mul(P.sign(x!), s)];
  }),
  // d(cosh x) = sinh x dy
  cosh: optional(unary("cosh", (x) => I.mul(I.add(I.exp(x), I.exp(I.neg(x))), 0.5), ([g], c) => [P.mul(g!, P.sinh(x0(c)))], { promote: "float", saves: "x" }), ([x]) => {
    const e = P.exp(P.abs(x!));
    return [P.mul(P.add(e, P.div(1, e)), 0.5)];
  }),
  // d(tanh x) = (1 - y^2) dy
  tanh: unary("tanh", I.tanh, ([g], c) => [P.mul(g!, P.sub(1, P.square(y0(c))))], { promote: "float", saves: "y" }),
  // d(sigmoid x) = y (1 - y) dy
  sigmoid: optional(unary("sigmoid", (x) => I.div(1, I.add(I.exp(I.neg(x)), 1)), ([g], c) => [P.mul(g!, P.mul(y0(c), P.sub(1, y0(c))))], { promote: "float", saves: "y" }), ([x]) => {
    // e = e^-|x| never overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below
    const e = P.exp(P.neg(P.abs(x!)));
    const d = P.add(e, 1);
    return [P.where(P.less(x!, 0), P.div(e, d), P.div(1, d))];
  }),
  // d(softplus x) = sigmoid(x) dy
  softplus: optional(unary("softplus", (x) => I.add(I.max(x, 0), I.log1p(I.exp(I.neg(I.abs(x))))), ([g], c) => [P.mul(g!, P.sigmoid(x0(c)))], { promote: "float", saves: "x" }), ([x]) => [P.add(P.maximum(x!, 0), P.log1p(P.exp(P.neg(P.abs(x!)))))]),
  // d(relu x) = [x > 0] dy
  relu: optional(unary("relu", (x) => I.max(x, 0), ([g], c) => [P.mul(g!, P.cast(P.greater(x0(c), 0), { dtype: g!.dtype }))], { promote: "arith", saves: "x" }), ([x]) => [P.maximum(x!, 0)]),
  // d(relu6 x) = [0 < x < 6] dy
  relu6: optional(unary("relu6", (x) => I.min(I.max(x, 0), 6), ([g], c) => [P.mul(g!, P.cast(P.logicalAnd(P.greater(x0(c), 0), P.less(x0(c), 6)), { dtype: g!.dtype }))], {
    promote: "arith",
    saves: "x",
    domain: [-3, 9],
  }), ([x]) => [P.minimum(P.maximum(x!, 0), 6)]),
  // d(elu x) = dy if x > 0 else (y + 1) dy
  elu: optional(unary("elu", (x) => I.select(I.gt(x, 0), x, I.expm1(x)), ([g], c) => [P.where(P.greater(x0(c), 0), g!, P.mul(g!, P.add(P.elu(x0(c)), 1)))], { promote: "float", saves: "x" }), ([x]) => [P.where(P.less(0, x!), x!, P.expm1(x!))]),
  // d(selu x) = scale dy if x > 0 else scale alpha e^x dy
  selu: optional(unary(
    "selu",
    (x) => I.mul(I.select(I.gt(x, 0), x, I.mul(I.expm1(x), S.SELU_ALPHA)), S.SELU_SCALE),
    ([g], c) => [P.mul(g!, P.where(P.greater(x0(c), 0), S.SELU_SCALE, P.mul(P.exp(x0(c)), S.SELU_SCALE * S.SELU_ALPHA)))],
    { promote: "float", saves: "x" },
  ), ([x]) => [P.mul(P.where(P.less(0, x!), x!, P.mul(P.expm1(x!), S.SELU_ALPHA)), S.SELU_SCALE)]),
  // d(gelu x) = (Phi(x) + x phi(x)) dy
  gelu: optional(unary(
    "gelu",
    (x) => I.mul(I.mul(x, 0.5), I.add(I.erf(I.mul(x, Math.SQRT1_2)), 1)),
    ([g], c) => {
      const x = x0(c);
      const cdf = P.mul(P.add(P.erf(P.mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = P.mul(P.exp(P.mul(P.square(x), -0.5)), SQRT_2_OVER_PI_HALF);
      return [P.mul(g!, P.add(cdf, P.mul(x, pdf)))];
    },
    { promote: "float", saves: "x" },
  ), ([x]) => [P.mul(P.mul(x!, 0.5), P.add(erfPolynomial(P.mul(x!, Math.SQRT1_2)), 1))], { atol: ERF_ATOL }),
  // d(erf x) = 2/sqrt(pi) e^(-x^2) dy
  erf: optional(unary("erf", I.erf, ([g], c) => [P.mul(g!, P.mul(P.exp(P.neg(P.square(x0(c)))), 2 / Math.sqrt(Math.PI)))], { promote: "float", saves: "x" }), ([x]) => [erfPolynomial(x!)], { atol: ERF_ATOL }),
  // d(x / (1 + |x|)) = dy / (1 + |x|)^2
  softsign: optional(unary("softsign", (x) => I.div(x, I.add(I.abs(x), 1)), ([g], c) => [P.div(g!, P.square(P.add(P.abs(x0(c)), 1)))], { promote: "float", saves: "x" }), ([x]) => [P.div(x!, P.add(P.abs(x!), 1))]),
  floor: unary("floor", I.floor, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  ceil: optional(unary("ceil", I.ceil, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }), ([x]) => [P.neg(P.floor(P.neg(x!)))]),
  round: unary("round", I.round, () => [null], { promote: "arith", saves: "none", noGradCheck: PIECEWISE }),
  isNaN: unary("isNaN", I.isNaN, "none", { out: "bool", saves: "none", noGradCheck: "bool output" }),
  isFinite: optional(unary("isFinite", I.isFinite, "none", { out: "bool", saves: "none", noGradCheck: "bool output" }), ([x]) => [P.logicalNot(P.isNaN(P.sub(x!, x!)))]),
  logicalNot: unary("logicalNot", I.not, "none", { out: "bool", inputDTypes: ["bool"], saves: "none", noGradCheck: "bool output" }),
  // A tensor of ones (zeros) with x's shape, dtype and device; x's values are not read.
  onesLike: optional(unary("onesLike", (x) => I.constant(1, x.dtype), () => [null], { saves: "none", noGradCheck: "constant output" }), (_, _a, [y]) => [P.fill({ shape: y!.shape, dtype: y!.dtype, value: 1 })]),
  zerosLike: optional(unary("zerosLike", (x) => I.constant(0, x.dtype), () => [null], { saves: "none", noGradCheck: "constant output" }), (_, _a, [y]) => [P.fill({ shape: y!.shape, dtype: y!.dtype, value: 0 })]),
  // The identity, with no gradient: d = 0
  stopGradient: optional(unary("stopGradient", (x) => x, () => [null], { saves: "none", noGradCheck: "its gradient is zero by definition" }), ([x]) => [P.reshape(x!, { shape: x!.shape })]),

  // d(a + b) = (dy, dy)
  add: binary("add", I.add, ([g]) => [g!, g!], { promote: "arith", saves: false }),
  // d(a - b) = (dy, -dy)
  sub: binary("sub", I.sub, ([g]) => [g!, P.neg(g!)], { promote: "arith", saves: false }),
  // d(a b) = (b dy, a dy)
  mul: binary("mul", I.mul, ([g], c) => [P.mul(g!, c.inputs[1]!), P.mul(g!, c.inputs[0]!)], { promote: "arith" }),
  // d(a / b) = (dy / b, -a dy / b^2)
  div: binary("div", I.div, ([g], c) => [P.div(g!, c.inputs[1]!), P.neg(P.div(P.mul(g!, c.inputs[0]!), P.square(c.inputs[1]!)))], {
    promote: "float",
    domain: [[-2, 2], [0.5, 2]],
  }),
  floorDiv: optional(binary("floorDiv", I.floorDiv, () => [null, null], { promote: "arith", saves: false, noGradCheck: PIECEWISE, domain: [[-5, 5], [0.5, 2]] }), ([a, b], _, [y]) => {
    const q = P.floor(P.div(a!, b!));
    return [y!.dtype === q.dtype ? q : P.cast(q, { dtype: y!.dtype })];
  }),
  // d(a mod b) = (dy, -floor(a / b) dy)
  mod: optional(binary("mod", I.floorMod, ([g], c) => [g!, P.neg(P.mul(g!, P.floorDiv(c.inputs[0]!, c.inputs[1]!)))], {
    promote: "arith",
    domain: [[0.1, 0.9], [1.1, 2]],
  }), ([a, b]) => {
    // a - floor(a / b) b; an int32 remainder by 0 is 0, as the reference stores NaN into int32
    const r = P.sub(a!, P.mul(P.floorDiv(a!, b!), b!));
    return [a!.dtype === "int32" ? P.where(P.equal(b!, 0), 0, r) : r];
  }),
  // d(a^b) = (b a^(b-1) dy, a^b log(a) dy)
  pow: binary(
    "pow",
    I.pow,
    ([g], c) => {
      const [a, b] = c.inputs as [Tensor, Tensor];
      const da = P.mul(g!, P.mul(b, P.pow(a, P.sub(b, 1))));
      const safeLog = P.where(P.greater(a, 0), P.log(P.where(P.greater(a, 0), a, 1)), 0);
      return [da, P.mul(g!, P.mul(P.pow(a, b), safeLog))];
    },
    { promote: "arith", domain: [[0.5, 2], [-2, 2]] },
  ),
  // d(atan2(a, b)) = (b dy, -a dy) / (a^2 + b^2)
  atan2: binary(
    "atan2",
    I.atan2,
    ([g], c) => {
      const [a, b] = c.inputs as [Tensor, Tensor];
      const r = P.add(P.square(a), P.square(b));
      return [P.div(P.mul(g!, b), r), P.neg(P.div(P.mul(g!, a), r))];
    },
    { promote: "float", domain: [[0.5, 2], [0.5, 2]] },
  ),
  // d((a - b)^2) = (2 (a - b) dy, -2 (a - b) dy)
  squaredDifference: optional(
    binary("squaredDifference", (a, b) => I.mul(I.sub(a, b), I.sub(a, b)), ([g], c) => {
      const d = P.mul(P.mul(g!, P.sub(c.inputs[0]!, c.inputs[1]!)), 2);
      return [d, P.neg(d)];
    }, { promote: "arith" }),
    ([a, b]) => {
      const d = P.sub(a!, b!);
      return [P.mul(d, d)];
    },
  ),
  // The gradient goes to the smaller input (to a on ties).
  minimum: binary("minimum", I.min, ([g], c) => {
    const m = P.lessEqual(c.inputs[0]!, c.inputs[1]!);
    return [P.where(m, g!, 0), P.where(m, 0, g!)];
  }, { promote: "arith" }),
  // The gradient goes to the larger input (to a on ties).
  maximum: binary("maximum", I.max, ([g], c) => {
    const m = P.greaterEqual(c.inputs[0]!, c.inputs[1]!);
    return [P.where(m, g!, 0), P.where(m, 0, g!)];
  }, { promote: "arith" }),
  equal: binary("equal", I.eq, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  notEqual: optional(binary("notEqual", I.ne, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.logicalNot(P.equal(a!, b!))]),
  less: binary("less", I.lt, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }),
  lessEqual: optional(binary("lessEqual", I.le, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.logicalOr(P.less(a!, b!), P.equal(a!, b!))]),
  greater: optional(binary("greater", I.gt, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.less(b!, a!)]),
  greaterEqual: optional(binary("greaterEqual", I.ge, "none", { promote: "common", out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.logicalOr(P.less(b!, a!), P.equal(a!, b!))]),
  logicalAnd: binary("logicalAnd", I.and, "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }),
  logicalOr: optional(binary("logicalOr", I.or, "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.logicalNot(P.logicalAnd(P.logicalNot(a!), P.logicalNot(b!)))]),
  logicalXor: optional(binary("logicalXor", I.ne, "none", { promote: "common", inputDTypes: ["bool"], out: "bool", noGradCheck: "bool output" }), ([a, b]) => [P.logicalNot(P.equal(a!, b!))]),

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
    expr: WHERE_EXPR,
    ref: referenceKernel(WHERE_EXPR),
    saves: { inputs: true },
    vjp: ([g], c) => [null, P.where(c.inputs[0]!, g!, 0), P.where(c.inputs[0]!, 0, g!)],
    test: {
      cases: [
        { shapes: [[3, 4], [3, 4], [3, 4]], dtypes: ["bool", "float32", "float32"], attrs: {} },
        { shapes: [[3, 1], [4], []], dtypes: ["bool", "float32", "float32"], attrs: {} },
      ],
    },
  }),

  /** Clip to [min, max]. d = [min <= x <= max] dy */
  clipByValue: optional(defineOp<{ min: number; max: number }>({
    name: "clipByValue",
    family: "unary",
    arity: 1,
    promote: "arith",
    infer: ([x], a) => {
      if (typeof a.min !== "number" || typeof a.max !== "number" || Number.isNaN(a.min) || Number.isNaN(a.max) || a.min > a.max)
        throw new InvalidArgumentError(`clipByValue: need numbers min <= max, got min=${a.min}, max=${a.max}`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    expr: CLIP_EXPR,
    ref: referenceKernel(CLIP_EXPR),
    saves: { inputs: true },
    vjp: ([g], c) => [P.mul(g!, P.cast(P.logicalAnd(P.greaterEqual(c.inputs[0]!, c.attrs.min), P.lessEqual(c.inputs[0]!, c.attrs.max)), { dtype: g!.dtype }))],
    test: { cases: [{ shapes: [[4, 5]], attrs: { min: -0.5, max: 0.7 } }, { shapes: [[]], attrs: { min: 0, max: 1 } }] },
  }), ([x], a) => [P.minimum(P.maximum(x!, scalar(a.min, x!.dtype)), scalar(a.max, x!.dtype))]),

  /** Leaky ReLU. d = dy if x > 0 else alpha dy */
  leakyRelu: optional(defineOp<{ alpha: number }>({
    name: "leakyRelu",
    family: "unary",
    arity: 1,
    promote: "float",
    infer: ([x], a) => {
      if (typeof a.alpha !== "number" || !Number.isFinite(a.alpha)) throw new InvalidArgumentError(`leakyRelu: alpha must be a finite number, got ${a.alpha}`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    expr: LEAKY_RELU_EXPR,
    ref: referenceKernel(LEAKY_RELU_EXPR),
    saves: { inputs: true },
    vjp: ([g], c) => [P.where(P.greater(c.inputs[0]!, 0), g!, P.mul(g!, c.attrs.alpha))],
    test: { cases: [{ shapes: [[3, 4]], attrs: { alpha: 0.2 } }, { shapes: [[]], attrs: { alpha: 0.01 } }] },
  }), ([x], a) => [P.where(P.less(0, x!), x!, P.mul(x!, a.alpha))]),

  /** Convert to another dtype. d = cast(dy, x.dtype) between float types */
  cast: defineOp<{ dtype: DType }>({
    name: "cast",
    family: "cast",
    arity: 1,
    infer: ([x], a) => {
      if (!ALL.includes(a.dtype)) throw new DTypeError(`cast: unknown dtype ${JSON.stringify(a.dtype)}`);
      return [{ shape: x!.shape, dtype: a.dtype }];
    },
    expr: CAST_EXPR,
    ref: referenceKernel(CAST_EXPR),
    saves: {},
    vjp: ([g], c) => [isFloat(c.inputSpecs[0]!.dtype) && isFloat(g!.dtype) ? P.cast(g!, { dtype: c.inputSpecs[0]!.dtype }) : null],
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

/** The ops defined by one scalar IR expression (`expr`): every elementwise op but fill. */
export type ElementwiseOpName = Exclude<keyof typeof elementwiseOps, "fill">;
/** Their names, for backends that generate every elementwise kernel from the IR. */
export const elementwiseOpNames = Object.keys(elementwiseOps).filter((k) => k !== "fill") as ElementwiseOpName[];
