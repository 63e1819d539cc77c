/**
 * The lowering of the scalar IR to gpu.js's JavaScript subset (compiled to GLSL): every value
 * is a float (int32 and bool too: bool is 0.0/1.0, int32 is truncated at the store). exp, log,
 * sin, cos, atan and atan2 use GLSL's built-ins; the other float32 transcendentals use the
 * shared expansions (`ir.expandFloat32`). Bit operations have no form here.
 */
import { ir, type Expr } from "@eager/core/backend";
import { lit, type KernelBuilder } from "../codegen.js";

const NATIVE = new Set<string>(["exp", "log", "sin", "cos", "atan", "atan2"]);
const CMP: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
const trunc = (x: string) => `(${x} < 0.0 ? Math.ceil(${x}) : Math.floor(${x}))`;

/** The code of one node; `pre` receives statements a node needs before its value (named from `id`). */
function nodeCode(e: Expr, a: readonly string[], b: KernelBuilder, id: string, pre: string[], attr: (name: string) => string, input: (k: number) => string): string {
  const D = e.args[0]?.dtype ?? e.dtype;
  const int = D === "int32";
  const [x, y, z] = a;
  switch (e.op) {
    case "input":
      return input(e.index!);
    case "attr":
      return attr(e.name!);
    case "const":
      return Number.isFinite(e.value!) ? lit(e.value!) : b.num(e.value!);
    case "neg":
      return `(-${x})`;
    case "abs":
    case "floor":
    case "ceil":
    case "sqrt":
    case "exp":
    case "sin":
    case "cos":
    case "atan":
      return `Math.${e.op}(${x})`;
    case "log":
      // GLSL's log(0) is only a large negative number: -1 / 0 gives -Infinity.
      return `(${x} == 0.0 ? -1.0 / ${x} : Math.log(${x}))`;
    case "trunc":
      return trunc(x!);
    case "round":
      // half to even: f + 1 above the half, f below it, the even one of f and f + 1 at it
      pre.push(`const ${id}f = Math.floor(${x});`, `const ${id}d = ${x} - ${id}f;`, `const ${id}o = ${id}f - 2.0 * Math.floor((${id}f + 0.5) / 2.0);`);
      return `(${id}d > 0.5 ? ${id}f + 1.0 : (${id}d < 0.5 ? ${id}f : (${id}o > 0.5 ? ${id}f + 1.0 : ${id}f)))`;
    case "isNaN":
      return `(${x} == ${x} ? 0.0 : 1.0)`;
    case "not":
      return `(1.0 - ${x})`;
    case "add":
      return `(${x} + ${y})`;
    case "sub":
      return `(${x} - ${y})`;
    case "mul":
      return `(${x} * ${y})`;
    case "div":
      return int ? `(${y} == 0.0 ? 0.0 : ${trunc(`(${x} / ${y})`)})` : `(${x} / ${y})`;
    case "rem":
      return int ? `(${y} == 0.0 ? 0.0 : ${x} - ${y} * ${trunc(`(${x} / ${y})`)})` : `(${x} - ${y} * ${trunc(`(${x} / ${y})`)})`;
    case "min":
    case "max":
      return `Math.${e.op}(${x}, ${y})`;
    case "atan2":
      return `Math.atan2(${x}, ${y})`;
    case "copysign":
      return `(${y} < 0.0 ? -Math.abs(${x}) : Math.abs(${x}))`;
    case "pow":
      if (int) throw new Error("webgl: int32 pow is lowered through float32 (cast first)");
      break;
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return `(${x} ${CMP[e.op]} ${y} ? 1.0 : 0.0)`;
    case "and":
      if (D === "bool") return `(${x} * ${y})`;
      break;
    case "or":
      if (D === "bool") return `Math.max(${x}, ${y})`;
      break;
    case "select":
      return `(${x} != 0.0 ? ${y} : ${z})`;
    case "cast":
      if (e.dtype === "bool") return D === "float32" || D === "float64" ? `((${x} != 0.0 && ${x} == ${x}) ? 1.0 : 0.0)` : `(${x} != 0.0 ? 1.0 : 0.0)`;
      if (e.dtype === "int32" && D !== "bool") return trunc(x!);
      return x!;
  }
  throw new Error(`webgl: ${e.op} (${D}) has no GLSL form`);
}

/** How a lowering names its inputs and its values (so it can follow code that uses other names). */
export interface LoweringNames {
  /** The variable holding input k (default `x<k>`). */
  readonly input?: (k: number) => string;
  /** Prefix of the values it declares (default "n"). */
  readonly prefix?: string;
}

/**
 * Append statements computing `root` (inputs `x0, x1, ...` already declared) to `b` and return
 * the name of the result. `attr(name)` gives a numeric attr's uniform.
 */
export function lowerToGpuJs(root: Expr, b: KernelBuilder, attr: (name: string) => string, names: LoweringNames = {}): string {
  const input = names.input ?? ((k: number) => `x${k}`);
  const prefix = names.prefix ?? "n";
  // int32 pow goes through float32, as the reference's Math.pow stored to int32 does.
  const e0 = ir.expandFloat32(
    ir.rewrite(root, (e) => (e.op === "pow" && e.dtype === "int32" ? ir.cast(ir.pow(ir.cast(e.args[0]!, "float32"), ir.cast(e.args[1]!, "float32")), "int32") : e)),
    (op) => NATIVE.has(op),
  );
  const values = new Map<Expr, string>();
  ir.topoOrder([e0]).forEach((e, k) => {
    const pre: string[] = [];
    const code = nodeCode(
      e,
      e.args.map((a) => values.get(a)!),
      b,
      `${prefix}${k}`,
      pre,
      attr,
      input,
    );
    if (e.op === "input" || e.op === "attr" || e.op === "const") {
      values.set(e, code);
      return;
    }
    b.line(...pre, `const ${prefix}${k} = ${code};`);
    values.set(e, `${prefix}${k}`);
  });
  return values.get(e0)!;
}
