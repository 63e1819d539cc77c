/**
 * The typed builder of the scalar IR: one function per operation, checking operand dtypes
 * (an `IrTypeError` names the operation), plus a few compositions used by many op
 * definitions (square, sign, isFinite). Numbers given as operands become constants of the
 * other operand's dtype. No simplification beyond identities on integers (floor of an int).
 */
import { COMPARISONS, FLOAT_ONLY, IrTypeError, isFloatDType, node, type Expr, type IrBinaryOp, type IrDType, type IrUnaryOp } from "./expr.js";

/** An operand: a node, or a number taken as a constant of the other operand's dtype. */
export type Operand = Expr | number;

/** Input `index` of the kernel, with its dtype. */
export const input = (index: number, dtype: IrDType): Expr => node("input", dtype, [], { index });
/** A numeric attr, read when the kernel runs (a JavaScript number: float64). */
export const attr = (name: string): Expr => node("attr", "float64", [], { name });
/** A constant. */
export const constant = (value: number, dtype: IrDType): Expr => node("const", dtype, [], { value: dtype === "bool" ? (value ? 1 : 0) : value });

const lift = (x: Operand, like: IrDType): Expr => (typeof x === "number" ? constant(x, like) : x);

function unary(op: IrUnaryOp, x: Expr): Expr {
  if (FLOAT_ONLY.has(op) && !isFloatDType(x.dtype)) throw new IrTypeError(`ir.${op}: needs a float operand, got ${x.dtype}`);
  if (op === "not" && x.dtype !== "bool") throw new IrTypeError(`ir.not: needs a bool operand, got ${x.dtype}`);
  if (x.dtype === "bool" && op !== "not") throw new IrTypeError(`ir.${op}: bool operand; cast it first`);
  if ((op === "floor" || op === "ceil" || op === "round" || op === "trunc") && x.dtype === "int32") return x;
  return node(op, op === "isNaN" ? "bool" : x.dtype, [x]);
}

function binary(op: IrBinaryOp, a: Operand, b: Operand): Expr {
  const A = typeof a === "number" ? lift(a, (b as Expr).dtype) : a;
  const B = lift(b, A.dtype);
  if (A.dtype !== B.dtype) throw new IrTypeError(`ir.${op}: operands are ${A.dtype} and ${B.dtype}; cast one first`);
  const d = A.dtype;
  if (FLOAT_ONLY.has(op) && !isFloatDType(d)) throw new IrTypeError(`ir.${op}: needs float operands, got ${d}`);
  if ((op === "and" || op === "or") && d !== "bool" && d !== "int32") throw new IrTypeError(`ir.${op}: needs bool or int32 operands, got ${d}`);
  if ((op === "shl" || op === "shr") && d !== "int32") throw new IrTypeError(`ir.${op}: needs int32 operands, got ${d}`);
  if (!COMPARISONS.has(op) && op !== "and" && op !== "or" && d === "bool") throw new IrTypeError(`ir.${op}: bool operands; cast them first`);
  return node(op, COMPARISONS.has(op) ? "bool" : d, [A, B]);
}

export const neg = (x: Expr) => unary("neg", x);
export const abs = (x: Expr) => unary("abs", x);
export const floor = (x: Expr) => unary("floor", x);
export const ceil = (x: Expr) => unary("ceil", x);
/** Round half to even. */
export const round = (x: Expr) => unary("round", x);
export const trunc = (x: Expr) => unary("trunc", x);
export const sqrt = (x: Expr) => unary("sqrt", x);
export const exp = (x: Expr) => unary("exp", x);
export const expm1 = (x: Expr) => unary("expm1", x);
export const log = (x: Expr) => unary("log", x);
export const log1p = (x: Expr) => unary("log1p", x);
export const sin = (x: Expr) => unary("sin", x);
export const cos = (x: Expr) => unary("cos", x);
export const tanh = (x: Expr) => unary("tanh", x);
export const erf = (x: Expr) => unary("erf", x);
export const atan = (x: Expr) => unary("atan", x);
/** Whether x is NaN (constant false for int32 and bool). */
export const isNaN = (x: Expr) => (isFloatDType(x.dtype) ? unary("isNaN", x) : constant(0, "bool"));
export const not = (x: Expr) => unary("not", x);

export const add = (a: Operand, b: Operand) => binary("add", a, b);
export const sub = (a: Operand, b: Operand) => binary("sub", a, b);
export const mul = (a: Operand, b: Operand) => binary("mul", a, b);
export const div = (a: Operand, b: Operand) => binary("div", a, b);
/** Truncated remainder (JavaScript's `%`). */
export const rem = (a: Operand, b: Operand) => binary("rem", a, b);
export const min = (a: Operand, b: Operand) => binary("min", a, b);
export const max = (a: Operand, b: Operand) => binary("max", a, b);
export const pow = (a: Operand, b: Operand) => binary("pow", a, b);
export const atan2 = (a: Operand, b: Operand) => binary("atan2", a, b);
/** |a| with the sign of b (-0 counts as negative). */
export const copysign = (a: Operand, b: Operand) => binary("copysign", a, b);
export const eq = (a: Operand, b: Operand) => binary("eq", a, b);
export const ne = (a: Operand, b: Operand) => binary("ne", a, b);
export const lt = (a: Operand, b: Operand) => binary("lt", a, b);
export const le = (a: Operand, b: Operand) => binary("le", a, b);
export const gt = (a: Operand, b: Operand) => binary("gt", a, b);
export const ge = (a: Operand, b: Operand) => binary("ge", a, b);
export const and = (a: Operand, b: Operand) => binary("and", a, b);
export const or = (a: Operand, b: Operand) => binary("or", a, b);
export const shl = (a: Operand, b: Operand) => binary("shl", a, b);
/** Arithmetic shift right. */
export const shr = (a: Operand, b: Operand) => binary("shr", a, b);

/** `c ? a : b` (both operands are computed; only the value is selected). */
export function select(c: Expr, a: Operand, b: Operand): Expr {
  if (c.dtype !== "bool") throw new IrTypeError(`ir.select: the condition must be bool, got ${c.dtype}`);
  const A = typeof a === "number" ? lift(a, (b as Expr).dtype) : a;
  const B = lift(b, A.dtype);
  if (A.dtype !== B.dtype) throw new IrTypeError(`ir.select: branches are ${A.dtype} and ${B.dtype}`);
  return node("select", A.dtype, [c, A, B]);
}

/** Convert to `dtype` with the reference's rules (see `Expr`); the identity for the same dtype. */
export const cast = (x: Expr, dtype: IrDType): Expr => (x.dtype === dtype ? x : node("cast", dtype, [x]));

/** Reinterpret the bits of a 32-bit value (float32 <-> int32). */
export function bitcast(x: Expr, dtype: "float32" | "int32"): Expr {
  if (x.dtype !== "float32" && x.dtype !== "int32") throw new IrTypeError(`ir.bitcast: needs a 32-bit operand, got ${x.dtype}`);
  return x.dtype === dtype ? x : node("bitcast", dtype, [x]);
}

// Compositions shared by op definitions.
export const square = (x: Expr) => mul(x, x);
/** -1, 0 or 1 (x itself for 0, -0 and NaN). */
export const sign = (x: Expr) => select(gt(x, 0), constant(1, x.dtype), select(lt(x, 0), constant(-1, x.dtype), x));
/** Neither NaN nor infinite (constant true for int32 and bool). */
export const isFinite = (x: Expr) => (isFloatDType(x.dtype) ? not(isNaN(sub(x, x))) : constant(1, "bool"));

/** floor(a / b); for int32, exact (x / 0 = 0), as the reference stores floor(a / b) into int32. */
export function floorDiv(a: Expr, b: Expr): Expr {
  if (isFloatDType(a.dtype)) return floor(div(a, b));
  const q = div(a, b);
  const r = sub(a, mul(q, b));
  const adjust = and(ne(r, 0), ne(lt(r, 0), lt(b, 0)));
  return select(eq(b, 0), constant(0, a.dtype), select(adjust, sub(q, 1), q));
}

/** a - floor(a / b) b, with the sign of b (TensorFlow's floorMod, Python's %); int32 x mod 0 = 0. */
export function floorMod(a: Expr, b: Expr): Expr {
  const r = rem(a, b);
  return select(and(ne(r, 0), ne(lt(r, 0), lt(b, 0))), add(r, b), r);
}
