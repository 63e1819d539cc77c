/**
 * The JavaScript lowering of the scalar IR: an expression becomes the source of a function
 * `(x0, x1, ..., A) => value` (A holds the numeric attrs), compiled once with `Function`. By
 * default float nodes compute in float64 (the reference backend's oracle semantics); with
 * `float32: true` every float32 node is rounded with Math.fround, as a device computes.
 */
import { erf, roundHalfEven } from "../ops/scalar-math.js";
import { topoOrder, useCounts, type Expr } from "./expr.js";

/** A compiled expression: inputs first, then the attrs object. */
export type ScalarFn = (...args: any[]) => number;

/** Options of the JavaScript lowering. */
export interface JsOptions {
  /** Round every float32 node to float32 (device-exact evaluation of expansions). */
  readonly float32?: boolean;
}

/** A JavaScript number literal (NaN, infinities and -0 included). */
export function jsLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function nodeSource(e: Expr, a: string[], o: JsOptions): string {
  const int = e.args[0]?.dtype === "int32";
  const [x, y, z] = a;
  switch (e.op) {
    case "input":
      return `x${e.index}`;
    case "attr":
      return `A[${JSON.stringify(e.name)}]`;
    case "const":
      return jsLiteral(e.value!);
    case "neg":
      return int ? `(-${x} | 0)` : `(-${x})`;
    case "abs":
      return int ? `(Math.abs(${x}) | 0)` : `Math.abs(${x})`;
    case "floor":
    case "ceil":
    case "trunc":
    case "sqrt":
    case "exp":
    case "expm1":
    case "log":
    case "log1p":
    case "sin":
    case "cos":
    case "tanh":
    case "atan":
      return `Math.${e.op}(${x})`;
    case "round":
      return `H.round(${x})`;
    case "erf":
      return `H.erf(${x})`;
    case "isNaN":
      return `(${x} !== ${x} ? 1 : 0)`;
    case "not":
      return `(${x} ? 0 : 1)`;
    case "add":
      return int ? `((${x} + ${y}) | 0)` : `(${x} + ${y})`;
    case "sub":
      return int ? `((${x} - ${y}) | 0)` : `(${x} - ${y})`;
    case "mul":
      return int ? `Math.imul(${x}, ${y})` : `(${x} * ${y})`;
    case "div":
      return int ? `(${y} === 0 ? 0 : (${x} / ${y}) | 0)` : `(${x} / ${y})`;
    case "rem":
      return int ? `(${y} === 0 ? 0 : ${x} % ${y})` : `(${x} % ${y})`;
    case "min":
      return `Math.min(${x}, ${y})`;
    case "max":
      return `Math.max(${x}, ${y})`;
    case "pow":
      return int ? `(Math.pow(${x}, ${y}) | 0)` : `Math.pow(${x}, ${y})`;
    case "atan2":
      return `Math.atan2(${x}, ${y})`;
    case "copysign":
      return `H.copysign(${x}, ${y})`;
    case "eq":
      return `(${x} === ${y} ? 1 : 0)`;
    case "ne":
      return `(${x} !== ${y} ? 1 : 0)`;
    case "lt":
      return `(${x} < ${y} ? 1 : 0)`;
    case "le":
      return `(${x} <= ${y} ? 1 : 0)`;
    case "gt":
      return `(${x} > ${y} ? 1 : 0)`;
    case "ge":
      return `(${x} >= ${y} ? 1 : 0)`;
    case "and":
      return `(${x} & ${y})`;
    case "or":
      return `(${x} | ${y})`;
    case "shl":
      return `(${x} << ${y})`;
    case "shr":
      return `(${x} >> ${y})`;
    case "select":
      return `(${x} ? ${y} : ${z})`;
    case "cast":
      if (e.dtype === "bool") return `(${x} !== 0 && ${x} === ${x} ? 1 : 0)`;
      if (e.dtype === "int32") return `(${x} | 0)`;
      // A float32-to-float32 cast marks where a fused op's result is stored: round there too.
      return (o.float32 || e.args[0]!.dtype === "float32") && e.dtype === "float32" ? `Math.fround(${x})` : x!;
    case "bitcast":
      return e.dtype === "int32" ? `H.f2i(${x})` : `H.i2f(${x})`;
  }
}

/** The body of the function computing `root` (statements then `return`). */
export function jsSource(root: Expr, options: JsOptions = {}): string {
  const order = topoOrder([root]);
  const uses = useCounts(order);
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  order.forEach((e, k) => {
    let src = nodeSource(
      e,
      e.args.map((a) => names.get(a)!),
      options,
    );
    if (options.float32 && e.dtype === "float32" && e.op !== "const" && e.op !== "input") src = `Math.fround(${src})`;
    if (e.args.length === 0 || (uses.get(e) ?? 0) <= 1) {
      names.set(e, src);
      return;
    }
    lines.push(`const t${k} = ${src};`);
    names.set(e, `t${k}`);
  });
  lines.push(`return ${names.get(root)};`);
  return lines.join("\n");
}

const scratch = new DataView(new ArrayBuffer(4));
const HELPERS = {
  round: roundHalfEven,
  copysign: (a: number, s: number) => (s < 0 || Object.is(s, -0) ? -Math.abs(a) : Math.abs(a)),
  erf,
  f2i: (v: number) => (scratch.setFloat32(0, v), scratch.getInt32(0)),
  i2f: (v: number) => (scratch.setInt32(0, v), scratch.getFloat32(0)),
};

/**
 * Compile `root` to a JavaScript function of `arity` inputs and an attrs object.
 * @example compileJs(ir.add(ir.input(0, "float32"), 1), 1)(2) // 3
 */
export function compileJs(root: Expr, arity: number, options: JsOptions = {}): ScalarFn {
  const params = [...Array(arity).keys()].map((k) => `x${k}`);
  const make = new Function("H", `return function (${[...params, "A"].join(", ")}) {\n${jsSource(root, options)}\n};`) as (h: typeof HELPERS) => ScalarFn;
  return make(HELPERS);
}
