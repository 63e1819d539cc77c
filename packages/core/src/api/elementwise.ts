/**
 * Public elementwise ops: thin typed wrappers over `runOp`, with TF.js signatures. Plain
 * numbers and arrays are accepted wherever a tensor is. Binary ops broadcast like NumPy.
 */
import type { DType } from "../dtype.js";
import { runOp } from "../engine/dispatch.js";
import type { Tensor, TensorLike } from "../tensor.js";

type UnaryName =
  | "neg" | "abs" | "sign" | "exp" | "expm1" | "log" | "log1p" | "sqrt" | "rsqrt" | "square" | "reciprocal"
  | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "sigmoid" | "softplus"
  | "relu" | "relu6" | "elu" | "selu" | "gelu" | "erf" | "floor" | "ceil" | "round" | "isNaN" | "isFinite"
  | "logicalNot" | "onesLike" | "zerosLike";
type BinaryName =
  | "add" | "sub" | "mul" | "div" | "floorDiv" | "mod" | "pow" | "atan2" | "minimum" | "maximum"
  | "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual" | "logicalAnd" | "logicalOr" | "logicalXor";

const unary = (name: UnaryName) => (x: TensorLike): Tensor => runOp(name, [x], {})[0]!;
const binary = (name: BinaryName) => (a: TensorLike, b: TensorLike): Tensor => runOp(name, [a, b], {})[0]!;

/** -x. @example neg([1, -2]) // [-1, 2] */
export const neg = unary("neg");
/** |x|. */
export const abs = unary("abs");
/** -1, 0 or 1 by the sign of x. */
export const sign = unary("sign");
/** e^x. @example exp(0) // 1 */
export const exp = unary("exp");
/** e^x - 1, accurate near 0. */
export const expm1 = unary("expm1");
/** Natural logarithm. */
export const log = unary("log");
/** log(1 + x), accurate near 0. */
export const log1p = unary("log1p");
export const sqrt = unary("sqrt");
/** 1 / sqrt(x). */
export const rsqrt = unary("rsqrt");
/** x * x. @example square(3) // 9 */
export const square = unary("square");
/** 1 / x. */
export const reciprocal = unary("reciprocal");
export const sin = unary("sin");
export const cos = unary("cos");
export const tan = unary("tan");
export const asin = unary("asin");
export const acos = unary("acos");
export const atan = unary("atan");
export const sinh = unary("sinh");
export const cosh = unary("cosh");
export const tanh = unary("tanh");
/** 1 / (1 + e^-x). */
export const sigmoid = unary("sigmoid");
/** log(1 + e^x), computed stably. */
export const softplus = unary("softplus");
/** max(x, 0). */
export const relu = unary("relu");
/** min(max(x, 0), 6). */
export const relu6 = unary("relu6");
/** x if x > 0 else e^x - 1. */
export const elu = unary("elu");
/** Scaled ELU (Klambauer et al.). */
export const selu = unary("selu");
/** Gaussian error linear unit, exact form x * Phi(x). */
export const gelu = unary("gelu");
/** The error function. */
export const erf = unary("erf");
export const floor = unary("floor");
export const ceil = unary("ceil");
/** Round half to even. */
export const round = unary("round");
/** True where x is NaN. */
export const isNaN = unary("isNaN");
/** True where x is neither infinite nor NaN. */
export const isFinite = unary("isFinite");
export const logicalNot = unary("logicalNot");
/** Ones with x's shape, dtype and device. */
export const onesLike = unary("onesLike");
/** Zeros with x's shape, dtype and device. */
export const zerosLike = unary("zerosLike");

/** a + b. @example add([1, 2], 10) // [11, 12] */
export const add = binary("add");
/** a - b. */
export const sub = binary("sub");
/** a * b. */
export const mul = binary("mul");
/** a / b (true division: integer inputs give float32). */
export const div = binary("div");
/** floor(a / b). */
export const floorDiv = binary("floorDiv");
/** a mod b with the sign of b (like Python's %). */
export const mod = binary("mod");
/** a^b. */
export const pow = binary("pow");
/** The angle of the point (b, a). */
export const atan2 = binary("atan2");
export const minimum = binary("minimum");
export const maximum = binary("maximum");
export const equal = binary("equal");
export const notEqual = binary("notEqual");
export const less = binary("less");
export const lessEqual = binary("lessEqual");
export const greater = binary("greater");
export const greaterEqual = binary("greaterEqual");
export const logicalAnd = binary("logicalAnd");
export const logicalOr = binary("logicalOr");
export const logicalXor = binary("logicalXor");

/** Elements of `a` where `condition` is true, of `b` elsewhere (all three broadcast). */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return runOp("where", [condition, a, b], {})[0]!;
}

/** Clip values to [min, max]. */
export function clipByValue(x: TensorLike, min: number, max: number): Tensor {
  return runOp("clipByValue", [x], { min, max })[0]!;
}

/** x if x > 0 else alpha * x. */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  return runOp("leakyRelu", [x], { alpha })[0]!;
}

/** Convert to `dtype` (float to int truncates toward zero; nonzero to bool is true). */
export function cast(x: TensorLike, dtype: DType): Tensor {
  return runOp("cast", [x], { dtype })[0]!;
}

/** Tensor methods contributed by this module (`a.add(b)`). */
export const elementwiseMethods = {
  neg, abs, sign, exp, expm1, log, log1p, sqrt, rsqrt, square, reciprocal, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
  sigmoid, softplus, relu, relu6, elu, selu, gelu, erf, floor, ceil, round, isNaN, isFinite, logicalNot, onesLike, zerosLike,
  add, sub, mul, div, floorDiv, mod, pow, atan2, minimum, maximum, equal, notEqual, less, lessEqual, greater, greaterEqual,
  logicalAnd, logicalOr, logicalXor, clipByValue, leakyRelu, cast,
};

