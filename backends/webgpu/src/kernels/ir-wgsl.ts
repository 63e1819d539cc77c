/**
 * The WGSL lowering of the scalar IR: float32 transcendentals are expanded (`ir.expandFloat32`,
 * the same approximations as every device backend), then each node becomes one `let`. bool
 * values are WGSL bools (stored as u32 0/1); NaN tests use the bit-pattern helpers, because
 * WGSL's min, max and comparisons may assume finite math. float64 has no WGSL form.
 */
import { ir, type Expr, type IrDType } from "@eager/core/backend";

const TYPE: Partial<Record<IrDType, string>> = { float32: "f32", int32: "i32", bool: "bool" };

/** A WGSL literal of a constant node (infinities and NaN through the helpers). */
function literal(e: Expr): string {
  const v = e.value!;
  if (e.dtype === "bool") return v ? "true" : "false";
  if (e.dtype === "int32") return v === -2147483648 ? "i32(-2147483647 - 1)" : `i32(${v | 0})`;
  if (Number.isNaN(v)) return "fnan()";
  if (v === Infinity) return "pinf()";
  if (v === -Infinity) return "ninf()";
  if (Object.is(v, -0)) return "f32(-0.0)";
  const s = String(Math.fround(v) === v ? v : Math.fround(v));
  return `f32(${s.includes(".") || s.includes("e") ? s : `${s}.0`})`;
}

const CMP: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

function nodeCode(e: Expr, a: readonly string[], attr: (name: string) => string): string {
  const D = e.args[0]?.dtype ?? e.dtype;
  const float = D === "float32";
  const [x, y, z] = a;
  switch (e.op) {
    case "input":
      return `x${e.index}`;
    case "attr":
      return attr(e.name!);
    case "const":
      return literal(e);
    case "neg":
      return `(-${x})`;
    case "abs":
    case "floor":
    case "ceil":
    case "trunc":
    case "round":
    case "sqrt":
      return `${e.op}(${x})`;
    case "isNaN":
      return `is_nan(${x})`;
    case "not":
      return `(!${x})`;
    case "add":
      return `(${x} + ${y})`;
    case "sub":
      return `(${x} - ${y})`;
    case "mul":
      return `(${x} * ${y})`;
    case "div":
      return float ? `(${x} / ${y})` : `select(${x} / ${y}, 0, ${y} == 0)`;
    case "rem":
      return `select(${x} % ${y}, 0, ${y} == 0)`;
    case "min":
    case "max":
      return float ? `select(${e.op}(${x}, ${y}), fnan(), is_nan(${x}) || is_nan(${y}))` : `${e.op}(${x}, ${y})`;
    case "pow":
      return `pow_i(${x}, ${y})`;
    case "copysign":
      return `bitcast<f32>((bitcast<u32>(${x}) & 0x7fffffffu) | (bitcast<u32>(${y}) & 0x80000000u))`;
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      if (D === "bool" && e.op !== "eq" && e.op !== "ne") return `(i32(${x}) ${CMP[e.op]} i32(${y}))`;
      return `(${x} ${CMP[e.op]} ${y})`;
    case "and":
      return D === "bool" ? `(${x} && ${y})` : `(${x} & ${y})`;
    case "or":
      return D === "bool" ? `(${x} || ${y})` : `(${x} | ${y})`;
    case "shl":
      return `(${x} << u32(${y}))`;
    case "shr":
      return `(${x} >> u32(${y}))`;
    case "select":
      return `select(${z}, ${y}, ${x})`;
    case "bitcast":
      return `bitcast<${TYPE[e.dtype]}>(${x})`;
    case "cast":
      // float64 values (attrs) are already f32 expressions here.
      if (e.dtype === "bool") return D === "float32" || D === "float64" ? `(${x} != 0.0 && !is_nan(${x}))` : `(${x} != 0)`;
      return `${TYPE[e.dtype] ?? "f32"}(${x})`;
    default:
      throw new Error(`webgpu: ${e.op} (${D}) has no WGSL form`);
  }
}

/** Integer power by squaring (a negative exponent gives 0 except for bases 1 and -1). */
export const POW_I = /* wgsl */ `
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { if (a == 1) { return 1; } if (a == -1) { if ((b & 1) == 0) { return 1; } return -1; } return 0; }
  var r = 1; var base = a; var e = b;
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}`;

/**
 * WGSL statements computing `root` (inputs `x0, x1, ...` already defined in their value types)
 * into `let v`. `attr(name)` gives a numeric attr's f32 expression.
 */
export function lowerToWgsl(root: Expr, attr: (name: string) => string): { code: string; usesPowI: boolean } {
  const e0 = ir.expandFloat32(root, () => false);
  const order = ir.topoOrder([e0]);
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  let usesPowI = false;
  order.forEach((e, k) => {
    if (e.dtype === "float64" && e.op !== "attr") throw new Error("webgpu: float64 has no WGSL form");
    const code = nodeCode(
      e,
      e.args.map((a) => names.get(a)!),
      attr,
    );
    if (e.op === "pow") usesPowI = true;
    if (e.op === "input" || e.op === "const" || e.op === "attr") {
      names.set(e, code);
      return;
    }
    lines.push(`let t${k} = ${code};`);
    names.set(e, `t${k}`);
  });
  lines.push(`let v = ${names.get(e0)};`);
  return { code: lines.join("\n  "), usesPowI };
}

const forms = new WeakMap<Expr, string | null>();

/**
 * A fused expression's text for pipeline keys (numeric attrs already constants), or null when
 * it has no WGSL form (float64, or an operation the lowering lacks). Cached per expression.
 */
export function wgslForm(expr: Expr): string | null {
  let form = forms.get(expr);
  if (form === undefined) {
    try {
      lowerToWgsl(expr, () => "0.0");
      form = ir.printExpr(expr);
    } catch {
      form = null;
    }
    forms.set(expr, form);
  }
  return form;
}
