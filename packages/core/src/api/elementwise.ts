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

const u = (name: UnaryName) => (x: TensorLike): Tensor => runOp(name, [x], {})[0]!;
const b = (name: BinaryName) => (a: TensorLike, c: TensorLike): Tensor => runOp(name, [a, c], {})[0]!;

/** -x. @example neg([1, -2]) // [-1, 2] */
export const neg = u("neg");
/** |x|. */
export const abs = u("abs");
/** -1, 0 or 1 by the sign of x. */
export const sign = u("sign");
/** e^x. @example exp(0) // 1 */
export const exp = u("exp");
/** e^x - 1, accurate near 0. */
export const expm1 = u("expm1");
/** Natural logarithm. */
export const log = u("log");
/** log(1 + x), accurate near 0. */
export const log1p = u("log1p");
export const sqrt = u("sqrt");
/** 1 / sqrt(x). */
export const rsqrt = u("rsqrt");
/** x * x. @example square(3) // 9 */
export const square = u("square");
/** 1 / x. */
export const reciprocal = u("reciprocal");
export const sin = u("sin");
export const cos = u("cos");
export const tan = u("tan");
export const asin = u("asin");
export const acos = u("acos");
export const atan = u("atan");
export const sinh = u("sinh");
export const cosh = u("cosh");
export const tanh = u("tanh");
/** 1 / (1 + e^-x). */
export const sigmoid = u("sigmoid");
/** log(1 + e^x), computed stably. */
export const softplus = u("softplus");
/** max(x, 0). */
export const relu = u("relu");
/** min(max(x, 0), 6). */
export const relu6 = u("relu6");
/** x if x > 0 else e^x - 1. */
export const elu = u("elu");
/** Scaled ELU (Klambauer et al.). */
export const selu = u("selu");
/** Gaussian error linear unit, exact form x * Phi(x). */
export const gelu = u("gelu");
/** The error function. */
export const erf = u("erf");
export const floor = u("floor");
export const ceil = u("ceil");
/** Round half to even. */
export const round = u("round");
/** True where x is NaN. */
export const isNaN = u("isNaN");
/** True where x is neither infinite nor NaN. */
export const isFinite = u("isFinite");
export const logicalNot = u("logicalNot");
/** Ones with x's shape, dtype and device. */
export const onesLike = u("onesLike");
/** Zeros with x's shape, dtype and device. */
export const zerosLike = u("zerosLike");

/** a + b. @example add([1, 2], 10) // [11, 12] */
export const add = b("add");
/** a - b. */
export const sub = b("sub");
/** a * b. */
export const mul = b("mul");
/** a / b (true division: integer inputs give float32). */
export const div = b("div");
/** floor(a / b). */
export const floorDiv = b("floorDiv");
/** a mod b with the sign of b (like Python's %). */
export const mod = b("mod");
/** a^b. */
export const pow = b("pow");
/** The angle of the point (b, a). */
export const atan2 = b("atan2");
export const minimum = b("minimum");
export const maximum = b("maximum");
export const equal = b("equal");
export const notEqual = b("notEqual");
export const less = b("less");
export const lessEqual = b("lessEqual");
export const greater = b("greater");
export const greaterEqual = b("greaterEqual");
export const logicalAnd = b("logicalAnd");
export const logicalOr = b("logicalOr");
export const logicalXor = b("logicalXor");

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

