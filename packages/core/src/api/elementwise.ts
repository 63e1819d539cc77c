/**
 * Public elementwise ops with TF.js signatures. Plain numbers and arrays are accepted wherever a
 * tensor is; binary ops broadcast like NumPy. Every op without attrs gets its function from one
 * factory typed by the op's record (unary: `(x)`, binary: `(a, b)`), and its tensor method from the table.
 */
import type { DType } from "../dtype.js";
import { runOp } from "../engine/dispatch.js";
import { elementwiseOpNames, type BinaryOpDef, type elementwiseOps, type UnaryOpDef } from "../ops/elementwise.js";
import { opTable } from "../ops/table.js";
import type { Tensor, TensorLike } from "../tensor.js";

type Records = typeof elementwiseOps;
/** Elementwise ops public elsewhere: stopGradient belongs with the autodiff API. */
const ELSEWHERE = ["stopGradient"] as const;
/** The unary and binary ops without attrs (read from their records' types): each is a function here and a method. */
export type ElementwiseFunctionName = Exclude<{ [K in keyof Records]: Records[K] extends UnaryOpDef | BinaryOpDef ? K : never }[keyof Records], (typeof ELSEWHERE)[number]>;
/** A unary op's function. */
export type UnaryFunction = (x: TensorLike) => Tensor;
/** A binary op's function (the inputs broadcast). */
export type BinaryFunction = (a: TensorLike, b: TensorLike) => Tensor;
/** The public function of op `K`, by the kind of its record. */
export type ElementwiseFunction<K extends ElementwiseFunctionName> = Records[K] extends UnaryOpDef ? UnaryFunction : BinaryFunction;

/**
 * The public function of a unary or binary op without attrs; its type comes from the op's record.
 * Each export below names its kind (`UnaryFunction` or `BinaryFunction`) explicitly: Tensor's
 * method types are read from these exports, and the table's inferred type uses Tensor, so a type
 * computed from the table here would be circular. `exportsMatchTable` checks every annotation.
 */
function elementwise<K extends ElementwiseFunctionName>(op: K): ElementwiseFunction<K> {
  const run = opTable[op].arity === 1 ? (x: TensorLike) => runOp(op, [x], {} as never)[0]! : (a: TensorLike, b: TensorLike) => runOp(op, [a, b], {} as never)[0]!;
  Object.defineProperty(run, "name", { value: op });
  return run as ElementwiseFunction<K>;
}

/** -x. @example neg([1, -2]) // [-1, 2] */
export const neg: UnaryFunction = elementwise("neg");
/** |x|. */
export const abs: UnaryFunction = elementwise("abs");
/** -1, 0 or 1 by the sign of x. */
export const sign: UnaryFunction = elementwise("sign");
/** e^x. @example exp(0) // 1 */
export const exp: UnaryFunction = elementwise("exp");
/** e^x - 1, accurate near 0. */
export const expm1: UnaryFunction = elementwise("expm1");
/** Natural logarithm. */
export const log: UnaryFunction = elementwise("log");
/** log(1 + x), accurate near 0. */
export const log1p: UnaryFunction = elementwise("log1p");
export const sqrt: UnaryFunction = elementwise("sqrt");
/** 1 / sqrt(x). */
export const rsqrt: UnaryFunction = elementwise("rsqrt");
/** x * x. @example square(3) // 9 */
export const square: UnaryFunction = elementwise("square");
/** 1 / x. */
export const reciprocal: UnaryFunction = elementwise("reciprocal");
export const sin: UnaryFunction = elementwise("sin");
export const cos: UnaryFunction = elementwise("cos");
export const tan: UnaryFunction = elementwise("tan");
export const asin: UnaryFunction = elementwise("asin");
export const acos: UnaryFunction = elementwise("acos");
export const atan: UnaryFunction = elementwise("atan");
export const sinh: UnaryFunction = elementwise("sinh");
export const cosh: UnaryFunction = elementwise("cosh");
export const tanh: UnaryFunction = elementwise("tanh");
/** 1 / (1 + e^-x). */
export const sigmoid: UnaryFunction = elementwise("sigmoid");
/** log(1 + e^x), computed stably. */
export const softplus: UnaryFunction = elementwise("softplus");
/** max(x, 0). */
export const relu: UnaryFunction = elementwise("relu");
/** min(max(x, 0), 6). */
export const relu6: UnaryFunction = elementwise("relu6");
/** x if x > 0 else e^x - 1. */
export const elu: UnaryFunction = elementwise("elu");
/** Scaled ELU (Klambauer et al.). */
export const selu: UnaryFunction = elementwise("selu");
/** Gaussian error linear unit, exact form x * Phi(x). */
export const gelu: UnaryFunction = elementwise("gelu");
/** The error function. */
export const erf: UnaryFunction = elementwise("erf");
export const floor: UnaryFunction = elementwise("floor");
export const ceil: UnaryFunction = elementwise("ceil");
/** Round half to even. */
export const round: UnaryFunction = elementwise("round");
/** True where x is NaN. */
export const isNaN: UnaryFunction = elementwise("isNaN");
/** True where x is neither infinite nor NaN. */
export const isFinite: UnaryFunction = elementwise("isFinite");
export const logicalNot: UnaryFunction = elementwise("logicalNot");
/** Ones with x's shape, dtype and device. */
export const onesLike: UnaryFunction = elementwise("onesLike");
/** Zeros with x's shape, dtype and device. */
export const zerosLike: UnaryFunction = elementwise("zerosLike");

/** a + b. @example add([1, 2], 10) // [11, 12] */
export const add: BinaryFunction = elementwise("add");
/** a - b. */
export const sub: BinaryFunction = elementwise("sub");
/** a * b. */
export const mul: BinaryFunction = elementwise("mul");
/** a / b (true division: integer inputs give float32). */
export const div: BinaryFunction = elementwise("div");
/** floor(a / b). */
export const floorDiv: BinaryFunction = elementwise("floorDiv");
/** a mod b with the sign of b (like Python's %). */
export const mod: BinaryFunction = elementwise("mod");
/** a^b. */
export const pow: BinaryFunction = elementwise("pow");
/** The angle of the point (b, a). */
export const atan2: BinaryFunction = elementwise("atan2");
export const minimum: BinaryFunction = elementwise("minimum");
export const maximum: BinaryFunction = elementwise("maximum");
export const equal: BinaryFunction = elementwise("equal");
export const notEqual: BinaryFunction = elementwise("notEqual");
export const less: BinaryFunction = elementwise("less");
export const lessEqual: BinaryFunction = elementwise("lessEqual");
export const greater: BinaryFunction = elementwise("greater");
export const greaterEqual: BinaryFunction = elementwise("greaterEqual");
export const logicalAnd: BinaryFunction = elementwise("logicalAnd");
export const logicalOr: BinaryFunction = elementwise("logicalOr");
export const logicalXor: BinaryFunction = elementwise("logicalXor");
/** (a - b)^2. @example squaredDifference([1, 4], 2) // [1, 4] */
export const squaredDifference: BinaryFunction = elementwise("squaredDifference");
/** x / (1 + |x|). @example softsign([1, -3]) // [0.5, -0.75] */
export const softsign: UnaryFunction = elementwise("softsign");

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

type Exports = typeof import("./elementwise.js");
/** Ops of the table whose export is missing or has another type than its record gives (none). */
type Mismatched = { [K in ElementwiseFunctionName]: [Exports[K], ElementwiseFunction<K>] extends [ElementwiseFunction<K>, Exports[K]] ? never : K }[ElementwiseFunctionName];
/** Compile-time check: every unary and binary op without attrs is exported above, with its record's signature. */
const exportsMatchTable: [Mismatched] extends [never] ? true : { mismatched: Mismatched } = true;
void exportsMatchTable;

/** The ops with attrs, written by hand above with TF.js positional signatures. */
const withAttrs = { where, clipByValue, leakyRelu, cast };

/**
 * Tensor methods contributed by this module (`a.add(b)`), built from the table: every unary and
 * binary op (a new record's method needs no edit here) and the ops with attrs.
 */
export const elementwiseMethods: Readonly<Record<string, (...args: never[]) => Tensor>> = {
  ...Object.fromEntries(
    elementwiseOpNames
      .filter((op) => (opTable[op].family === "unary" || opTable[op].family === "binary") && !(op in withAttrs) && !(ELSEWHERE as readonly string[]).includes(op))
      .map((op) => [op, elementwise(op as ElementwiseFunctionName)]),
  ),
  ...withAttrs,
};
