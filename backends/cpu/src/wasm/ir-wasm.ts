/**
 * The WebAssembly lowering of the scalar IR: an expression (already free of transcendental
 * operations: see `ir.expandFloat32`) becomes folded wasm text, in a SIMD form (v128 values,
 * `lanes` elements at a time; bool values are lane masks) and a scalar form for tails. Nodes
 * used more than once go to locals; nodes that depend only on attrs are computed once per call.
 * Operations without a wasm form (int32 division, float64 transcendentals) throw `NoWasmForm`.
 */
import { ir, type Expr, type IrDType } from "@eager/core/backend";

/** The expression has an operation or dtype mix this lowering does not generate. */
export class NoWasmForm extends Error {
  override name = "NoWasmForm";
}

/** Scalar wasm type of a dtype (bool is an i32 0/1). */
export const scalarType = (d: IrDType): string => (d === "float32" ? "f32" : d === "float64" ? "f64" : "i32");
/** SIMD lanes of a dtype's vector form. */
export const lanesOf = (d: IrDType): 2 | 4 => (d === "float64" ? 2 : 4);
const vecPrefix = (d: IrDType): string => (d === "float32" ? "f32x4" : d === "float64" ? "f64x2" : "i32x4");

/** A wasm float literal (nan, inf, -0 included). */
export function watNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function vecConst(e: Expr, lanes: number): string {
  const v = e.value!;
  if (e.dtype === "bool") return `(v128.const i32x4 ${Array(4).fill(v ? -1 : 0).join(" ")})`;
  if (e.dtype === "int32") return `(v128.const i32x4 ${Array(4).fill(v | 0).join(" ")})`;
  if (e.dtype === "float64" && lanes === 4) throw new NoWasmForm("a float64 constant in a 4-lane kernel");
  if (e.dtype === "float32") return `(v128.const f32x4 ${Array(4).fill(watNumber(v)).join(" ")})`;
  return `(v128.const ${vecPrefix(e.dtype)} ${Array(lanes).fill(watNumber(v)).join(" ")})`;
}

function scalarConst(e: Expr): string {
  return e.dtype === "float32" || e.dtype === "float64" ? `(${scalarType(e.dtype)}.const ${watNumber(e.value!)})` : `(i32.const ${e.value! | 0})`;
}

const CMP_INT: Record<string, string> = { eq: "eq", ne: "ne", lt: "lt_s", le: "le_s", gt: "gt_s", ge: "ge_s" };
const CMP_U: Record<string, string> = { eq: "eq", ne: "ne", lt: "lt_u", le: "le_u", gt: "gt_u", ge: "ge_u" };

/**
 * `$ipow(a, b) -> a^b` for int32 by squaring (wrapping); b < 0 gives 0 except for bases 1 and
 * -1. Equals the reference (Math.pow stored to int32) while |a^b| < 2^53. Emitted once per module.
 */
export const IPOW_HELPER = `
  (func $ipow (param $a i32) (param $b i32) (result i32)
    (local $r i32)
    (if (i32.lt_s (local.get $b) (i32.const 0))
      (then (return (if (result i32) (i32.eq (local.get $a) (i32.const 1)) (then (i32.const 1))
        (else (if (result i32) (i32.eq (local.get $a) (i32.const -1)) (then (select (i32.const -1) (i32.const 1) (i32.and (local.get $b) (i32.const 1)))) (else (i32.const 0))))))))
    (local.set $r (i32.const 1))
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $b)))
      (if (i32.and (local.get $b) (i32.const 1)) (then (local.set $r (i32.mul (local.get $r) (local.get $a)))))
      (local.set $a (i32.mul (local.get $a) (local.get $a)))
      (local.set $b (i32.shr_u (local.get $b) (i32.const 1)))
      (br $l)))
    (local.get $r))`;

/** int32 a / b or a rem b without traps: 0 when b is 0; -a (wrapping) and 0 when b is -1. */
function intDivRem(op: "div" | "rem", a: string, b: string, ta: string, tb: string): string {
  const neg1 = op === "div" ? `(i32.sub (i32.const 0) (local.get ${ta}))` : `(i32.const 0)`;
  return `(block (result i32) (local.set ${ta} ${a}) (local.set ${tb} ${b})
    (if (result i32) (i32.eqz (local.get ${tb})) (then (i32.const 0))
      (else (if (result i32) (i32.eq (local.get ${tb}) (i32.const -1)) (then ${neg1}) (else (i32.${op}_s (local.get ${ta}) (local.get ${tb})))))))`;
}

/** Scratch locals a lowering asked for (a value used twice inside one node's code). */
type Temp = (type: string) => string;

/** The SIMD code of one node from its operands' code. */
function vecNode(e: Expr, a: readonly string[], lanes: number, temp: Temp): string {
  const D = e.args[0]?.dtype ?? e.dtype;
  const [x, y, z] = a;
  // A 2-lane (float64) kernel keeps 32-bit values in the low 2 lanes of a 4-lane vector: fine for
  // lane-wise arithmetic and width-changing casts, not where a bool mask of the other width meets them.
  const narrow = (d: IrDType) => lanes === 2 && (d === "float32" || d === "int32");
  if (D === "float64" && lanes === 4) throw new NoWasmForm(`${e.op} on float64 in a 4-lane kernel`);
  if ((narrow(D) && (e.dtype === "bool" || e.op === "select")) || (narrow(e.dtype) && D === "bool")) throw new NoWasmForm(`${e.op}: bool masks beside 32-bit values in a 2-lane kernel`);
  const p = vecPrefix(D);
  const float = D === "float32" || D === "float64";
  switch (e.op) {
    case "neg":
    case "abs":
      return `(${p}.${e.op} ${x})`;
    case "floor":
    case "ceil":
    case "trunc":
    case "sqrt":
      return `(${p}.${e.op} ${x})`;
    case "round":
      return `(${p}.nearest ${x})`;
    case "isNaN": {
      const t = temp("v128");
      return `(${p}.ne (local.tee ${t} ${x}) (local.get ${t}))`;
    }
    case "not":
      return `(v128.not ${x})`;
    case "add":
    case "sub":
    case "mul":
      return `(${p}.${e.op} ${x} ${y})`;
    case "div":
    case "rem": {
      if (float && e.op === "div") return `(${p}.div ${x} ${y})`;
      if (float) throw new NoWasmForm("float rem has no wasm form; expand it first");
      // No SIMD integer division: lane by lane, with the IR's x / 0 = x rem 0 = 0.
      const ta = temp("v128");
      const tb = temp("v128");
      const sa = temp("i32");
      const sb = temp("i32");
      const lane = (k: number) => intDivRem(e.op as "div" | "rem", `(i32x4.extract_lane ${k} (local.get ${ta}))`, `(i32x4.extract_lane ${k} (local.get ${tb}))`, sa, sb);
      let v = `(i32x4.splat ${lane(0)})`;
      for (let k = 1; k < 4; k++) v = `(i32x4.replace_lane ${k} ${v} ${lane(k)})`;
      return `(block (result v128) (local.set ${ta} ${x}) (local.set ${tb} ${y}) ${v})`;
    }
    case "pow": {
      if (float) throw new NoWasmForm("float pow has no wasm form; expand it first");
      const ta = temp("v128");
      const tb = temp("v128");
      const lane = (k: number) => `(call $ipow (i32x4.extract_lane ${k} (local.get ${ta})) (i32x4.extract_lane ${k} (local.get ${tb})))`;
      let v = `(i32x4.splat ${lane(0)})`;
      for (let k = 1; k < 4; k++) v = `(i32x4.replace_lane ${k} ${v} ${lane(k)})`;
      return `(block (result v128) (local.set ${ta} ${x}) (local.set ${tb} ${y}) ${v})`;
    }
    case "min":
    case "max":
      return `(${p}.${e.op}${float ? "" : "_s"} ${x} ${y})`;
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      if (D === "bool") {
        const m: Record<string, string> = {
          eq: `(v128.not (v128.xor ${x} ${y}))`,
          ne: `(v128.xor ${x} ${y})`,
          lt: `(v128.andnot ${y} ${x})`,
          le: `(v128.or (v128.not ${x}) ${y})`,
          gt: `(v128.andnot ${x} ${y})`,
          ge: `(v128.or ${x} (v128.not ${y}))`,
        };
        return m[e.op]!;
      }
      return `(${p}.${float ? e.op : CMP_INT[e.op]} ${x} ${y})`;
    case "and":
    case "or":
      return `(v128.${e.op} ${x} ${y})`;
    case "copysign": {
      const [mag, sgn] = D === "float64" ? ["i64x2 0x7fffffffffffffff 0x7fffffffffffffff", "i64x2 0x8000000000000000 0x8000000000000000"] : ["i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff", "i32x4 0x80000000 0x80000000 0x80000000 0x80000000"];
      return `(v128.or (v128.and ${x} (v128.const ${mag})) (v128.and ${y} (v128.const ${sgn})))`;
    }
    case "shl":
    case "shr":
      if (e.args[1]!.op !== "const") throw new NoWasmForm("shift by a non-constant");
      return `(i32x4.${e.op === "shl" ? "shl" : "shr_s"} ${x} (i32.const ${e.args[1]!.value! | 0}))`;
    case "select":
      return `(v128.bitselect ${y} ${z} ${x})`;
    case "bitcast":
      return x!;
    case "cast": {
      const R = e.dtype;
      if (D === R) return x!; // a rounding point of a fused expression: values are already of this dtype
      if (D === "bool") return `(v128.and ${x} ${vecConst(ir.constant(1, R), lanes)})`;
      if (R === "bool") {
        if (D === "int32") return `(v128.not (i32x4.eq ${x} (v128.const i32x4 0 0 0 0)))`;
        const t = temp("v128");
        const zero = vecConst(ir.constant(0, D), lanes);
        return `(v128.or (${p}.lt (local.tee ${t} ${x}) ${zero}) (${p}.gt (local.get ${t}) ${zero}))`;
      }
      if (D === "float32" && R === "int32") return `(i32x4.trunc_sat_f32x4_s ${x})`;
      if (D === "int32" && R === "float32") return `(f32x4.convert_i32x4_s ${x})`;
      if (D === "float32" && R === "float64") return `(f64x2.promote_low_f32x4 ${x})`;
      if (D === "float64" && R === "float32") return `(f32x4.demote_f64x2_zero ${x})`;
      if (D === "int32" && R === "float64") return `(f64x2.convert_low_i32x4_s ${x})`;
      if (D === "float64" && R === "int32") return `(i32x4.trunc_sat_f64x2_s_zero ${x})`;
      throw new NoWasmForm(`cast ${D} to ${R} in SIMD`);
    }
    default:
      throw new NoWasmForm(`${e.op} (${D}) has no wasm form; expand it first`);
  }
}

/** The scalar code of one node. */
function scalarNode(e: Expr, a: readonly string[], temp: Temp): string {
  const D = e.args[0]?.dtype ?? e.dtype;
  const s = scalarType(D);
  const float = D === "float32" || D === "float64";
  const [x, y, z] = a;
  switch (e.op) {
    case "neg":
      return float ? `(${s}.neg ${x})` : `(i32.sub (i32.const 0) ${x})`;
    case "abs": {
      if (float) return `(${s}.abs ${x})`;
      const t = temp("i32");
      return `(select (local.tee ${t} ${x}) (i32.sub (i32.const 0) (local.get ${t})) (i32.ge_s (local.get ${t}) (i32.const 0)))`;
    }
    case "floor":
    case "ceil":
    case "trunc":
    case "sqrt":
      return `(${s}.${e.op} ${x})`;
    case "round":
      return `(${s}.nearest ${x})`;
    case "isNaN": {
      const t = temp(s);
      return `(${s}.ne (local.tee ${t} ${x}) (local.get ${t}))`;
    }
    case "not":
      return `(i32.xor ${x} (i32.const 1))`;
    case "add":
    case "sub":
    case "mul":
      return `(${s}.${e.op} ${x} ${y})`;
    case "div":
    case "rem":
      if (float && e.op === "div") return `(${s}.div ${x} ${y})`;
      if (float) throw new NoWasmForm("float rem has no wasm form; expand it first");
      return intDivRem(e.op as "div" | "rem", x!, y!, temp("i32"), temp("i32"));
    case "min":
    case "max": {
      if (float) return `(${s}.${e.op} ${x} ${y})`;
      const t = temp("i32");
      const u = temp("i32");
      return `(select (local.tee ${t} ${x}) (local.tee ${u} ${y}) (i32.${e.op === "min" ? "lt_s" : "gt_s"} (local.get ${t}) (local.get ${u})))`;
    }
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return `(${s}.${float ? e.op : D === "bool" ? CMP_U[e.op] : CMP_INT[e.op]} ${x} ${y})`;
    case "and":
    case "or":
      return `(i32.${e.op} ${x} ${y})`;
    case "copysign":
      return `(${s}.copysign ${x} ${y})`;
    case "pow":
      if (float) throw new NoWasmForm("float pow has no wasm form; expand it first");
      return `(call $ipow ${x} ${y})`;
    case "shl":
      return `(i32.shl ${x} ${y})`;
    case "shr":
      return `(i32.shr_s ${x} ${y})`;
    case "select":
      return `(select ${y} ${z} ${x})`;
    case "bitcast":
      return e.dtype === "int32" ? `(i32.reinterpret_f32 ${x})` : `(f32.reinterpret_i32 ${x})`;
    case "cast": {
      const R = e.dtype;
      const r = scalarType(R);
      if (D === R) return x!;
      if (D === "bool") return R === "int32" ? x! : `(${r}.convert_i32_u ${x})`;
      if (R === "bool") {
        if (D === "int32") return `(i32.ne ${x} (i32.const 0))`;
        const t = temp(s);
        return `(i32.or (${s}.lt (local.tee ${t} ${x}) (${s}.const 0)) (${s}.gt (local.get ${t}) (${s}.const 0)))`;
      }
      if (R === "int32") return `(i32.trunc_sat_${s}_s ${x})`;
      if (D === "int32") return `(${r}.convert_i32_s ${x})`;
      return R === "float64" ? `(f64.promote_f32 ${x})` : `(f32.demote_f64 ${x})`;
    }
    default:
      throw new NoWasmForm(`${e.op} (${D}) has no wasm form; expand it first`);
  }
}

/** Whether a node depends on attrs and constants only (computed once per call). */
function uniformNodes(order: readonly Expr[]): Set<Expr> {
  const u = new Set<Expr>();
  for (const e of order) if (e.op === "attr" || e.op === "const" || (e.args.length > 0 && e.args.every((a) => u.has(a)))) u.add(e);
  return u;
}

/** A lowered expression: its locals, the once-per-call prologue, and the per-element code. */
export interface WasmExpr {
  /** Local declarations the code needs. */
  readonly locals: string;
  /** Statements computing the attr-only nodes (run once per call). */
  readonly prologue: string;
  /** Statements then a value for `mode`; `leaf(k)` gives input k's code (a load or a local). */
  body(mode: "vec" | "scalar", leaf: (k: number) => string): { stmts: string; value: string };
}

/**
 * Lower `root` for a kernel of `lanes` lanes. `attrLocal(name)` is the f64 local holding a
 * numeric attr. Throws `NoWasmForm` when some node has no wasm form.
 */
export function lowerToWasm(root: Expr, lanes: 2 | 4, attrLocal: (name: string) => string): WasmExpr {
  const order = ir.topoOrder([root]);
  const uses = ir.useCounts(order);
  const uniform = uniformNodes(order);
  const index = new Map(order.map((e, k) => [e, k]));
  const locals = new Set<string>();
  let temps = 0;
  const temp: Temp = (type) => {
    const name = `$t${temps++}`;
    locals.add(`(local ${name} ${type})`);
    return name;
  };
  // Attr-only nodes: scalar code once, then a splat in a v128 local.
  const prologue: string[] = [];
  const uScalar = new Map<Expr, string>();
  for (const e of order) {
    if (!uniform.has(e) || e.op === "const") continue;
    const k = index.get(e)!;
    const code = e.op === "attr" ? `(local.get ${attrLocal(e.name!)})` : scalarNode(e, e.args.map((a) => (a.op === "const" ? scalarConst(a) : uScalar.get(a)!)), temp);
    const s = scalarType(e.dtype);
    locals.add(`(local $u${k} ${s}) (local $uv${k} v128)`);
    prologue.push(`(local.set $u${k} ${code})`);
    uScalar.set(e, `(local.get $u${k})`);
    const mask = `(i32.sub (i32.const 0) (local.get $u${k}))`;
    if (e.dtype === "bool") prologue.push(`(local.set $uv${k} ${lanes === 4 ? `(i32x4.splat ${mask})` : `(i64x2.splat (i64.extend_i32_s ${mask}))`})`);
    else if (e.dtype !== "float64" || lanes === 2) prologue.push(`(local.set $uv${k} (${vecPrefix(e.dtype)}.splat (local.get $u${k})))`);
  }
  for (const e of order) {
    if (e.args.length === 0 || uniform.has(e)) continue;
    const k = index.get(e)!;
    if ((uses.get(e) ?? 0) > 1) locals.add(`(local $ev${k} v128) (local $es${k} ${scalarType(e.dtype)})`);
  }
  for (const e of order) if (e.op === "input" && (uses.get(e) ?? 0) > 1) locals.add(`(local $ev${index.get(e)} v128) (local $es${index.get(e)} ${scalarType(e.dtype)})`);
  // Check the whole expression lowers in both forms before any kernel text is made.
  const body = (mode: "vec" | "scalar", leaf: (k: number) => string) => {
    const code = new Map<Expr, string>();
    const stmts: string[] = [];
    for (const e of order) {
      const k = index.get(e)!;
      let c: string;
      if (e.op === "const") c = mode === "vec" ? vecConst(e, lanes) : scalarConst(e);
      else if (uniform.has(e)) c = mode === "vec" ? `(local.get $uv${k})` : uScalar.get(e)!;
      else if (e.op === "input") c = leaf(e.index!);
      else {
        const a = e.args.map((x) => code.get(x)!);
        c = mode === "vec" ? vecNode(e, a, lanes, temp) : scalarNode(e, a, temp);
      }
      if ((uses.get(e) ?? 0) > 1 && e.op !== "const" && !uniform.has(e)) {
        const name = `$e${mode === "vec" ? "v" : "s"}${k}`;
        stmts.push(`(local.set ${name} ${c})`);
        c = `(local.get ${name})`;
      }
      code.set(e, c);
    }
    return { stmts: stmts.join("\n        "), value: code.get(root)! };
  };
  body("vec", () => "(local.get $none)");
  body("scalar", () => "(local.get $none)");
  return {
    get locals() {
      return [...locals].join(" ");
    },
    prologue: prologue.join("\n    "),
    body,
  };
}
