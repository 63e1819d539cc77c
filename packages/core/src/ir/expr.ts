/**
 * The scalar expression IR: a closed set of scalar operations over typed values. An `Expr` is
 * an immutable DAG node; every node carries its dtype. Leaves are kernel input loads (input k:
 * the kernel decides how input k is indexed, e.g. through broadcast strides), numeric attrs
 * read at run time, and constants. Elementwise ops and fused kernels are expressions over it.
 */

/** The dtypes a node may have (bool values are 0/1). */
export type IrDType = "float32" | "float64" | "int32" | "bool";

/** Leaf operations. */
export const IR_LEAVES = ["input", "attr", "const"] as const;
/** One-argument operations. */
export const IR_UNARY = ["neg", "abs", "floor", "ceil", "round", "trunc", "sqrt", "exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "erf", "atan", "isNaN", "not"] as const;
/** Two-argument operations (comparisons give bool). */
export const IR_BINARY = ["add", "sub", "mul", "div", "rem", "min", "max", "pow", "atan2", "copysign", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "shl", "shr"] as const;
/** Operations with other shapes: select(cond, a, b), cast(x) and bitcast(x) (to the node's dtype). */
export const IR_OTHER = ["select", "cast", "bitcast"] as const;

export type IrUnaryOp = (typeof IR_UNARY)[number];
export type IrBinaryOp = (typeof IR_BINARY)[number];
/** Every operation of the IR. */
export type IrOp = (typeof IR_LEAVES)[number] | IrUnaryOp | IrBinaryOp | (typeof IR_OTHER)[number];

/** Operations defined for float dtypes only. */
export const FLOAT_ONLY: ReadonlySet<IrOp> = new Set<IrOp>(["sqrt", "exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "erf", "atan", "atan2", "copysign", "isNaN"]);
/** Comparisons: same-dtype operands, a bool result. */
export const COMPARISONS: ReadonlySet<IrOp> = new Set<IrOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

/**
 * One node. `args` are operands; `index` (input), `name` (attr) and `value` (const) describe
 * leaves. Semantics: float ops follow IEEE/JavaScript `Math` (min/max propagate NaN, round is
 * half to even, rem is truncated `%`); int32 ops wrap modulo 2^32, int32 div truncates and
 * x/0 = x rem 0 = 0; cast to int32 truncates, wraps and maps NaN/inf to 0; cast to bool is x != 0
 * (NaN is false); shr is arithmetic; and/or are logical on bool, bitwise on int32.
 */
export interface Expr {
  readonly op: IrOp;
  readonly dtype: IrDType;
  readonly args: readonly Expr[];
  readonly index?: number;
  readonly name?: string;
  readonly value?: number;
}

/** An error in building an expression (a dtype mismatch), naming the operation. */
export class IrTypeError extends TypeError {
  override name = "IrTypeError";
}

/** Make a node (no checks: the builder checks dtypes). */
export function node(op: IrOp, dtype: IrDType, args: readonly Expr[] = [], extra: { index?: number; name?: string; value?: number } = {}): Expr {
  return Object.freeze({ op, dtype, args: Object.freeze([...args]), ...extra });
}

export const isFloatDType = (d: IrDType): boolean => d === "float32" || d === "float64";

/** Nodes of `roots` in dependency order (each after its operands), each once. */
export function topoOrder(roots: readonly Expr[]): Expr[] {
  const seen = new Set<Expr>();
  const order: Expr[] = [];
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    for (const a of e.args) visit(a);
    order.push(e);
  };
  for (const r of roots) visit(r);
  return order;
}

/** How many nodes use each node as an operand. */
export function useCounts(order: readonly Expr[]): Map<Expr, number> {
  const uses = new Map<Expr, number>();
  for (const e of order) for (const a of e.args) uses.set(a, (uses.get(a) ?? 0) + 1);
  return uses;
}

/** Attr names in order of first appearance (the order backends pass their values). */
export function attrNames(root: Expr): string[] {
  const names: string[] = [];
  for (const e of topoOrder([root])) if (e.op === "attr" && !names.includes(e.name!)) names.push(e.name!);
  return names;
}

/** The number of inputs an expression reads (highest input index + 1). */
export function inputCount(root: Expr): number {
  let n = 0;
  for (const e of topoOrder([root])) if (e.op === "input") n = Math.max(n, e.index! + 1);
  return n;
}

/** Rewrite every node bottom-up: `f` gets the node with already-rewritten operands. */
export function rewrite(root: Expr, f: (e: Expr) => Expr): Expr {
  const done = new Map<Expr, Expr>();
  for (const e of topoOrder([root])) {
    const args = e.args.map((a) => done.get(a)!);
    const same = args.every((a, i) => a === e.args[i]);
    const base = same ? e : node(e.op, e.dtype, args, { index: e.index, name: e.name, value: e.value });
    done.set(e, f(base));
  }
  return done.get(root)!;
}
