/**
 * Elementwise kernels generated from the op table's scalar IR: for every op with an `expr`
 * and every input dtype combination its wasm lowering supports, one export
 * `ew_<op>_<dtypes>(p0.., y, tab, outer, len, s0.., n, attrs.., per, chunk)` with NumPy
 * broadcasting (outer dims through a stride table, the inner run read as a vector or a splat
 * per input), SIMD over the run and a scalar tail. A pure function of the op table.
 */
import { ir, opTable, type DType, type Expr, type IrDType } from "@eager/core/backend";
import { IPOW_HELPER, lanesOf, lowerToWasm, NoWasmForm, scalarType } from "./ir-wasm.js";

/** Storage of a dtype: bytes per element and the short name used in export names. */
const STORAGE: Record<IrDType, { size: number; short: string }> = {
  float32: { size: 4, short: "f32" },
  float64: { size: 8, short: "f64" },
  int32: { size: 4, short: "i32" },
  bool: { size: 1, short: "u8" },
};
const SHIFT: Record<number, number> = { 1: 0, 4: 2, 8: 3 };

/** One generated kernel: its export name and the expression it computes. */
export interface ElementwiseExport {
  readonly name: string;
  readonly op: string;
  readonly dtypes: readonly IrDType[];
  readonly statics: Readonly<Record<string, unknown>>;
  readonly expr: Expr;
  /** When true, `chunk` is the first element to compute and `per` how many (a range the caller picks). */
  readonly range?: boolean;
  readonly attrs: readonly string[];
  /**
   * Which inputs advance along the innermost dimension (the others are broadcast there). When
   * given, the kernel is built for this one pattern; otherwise it branches at run time over all
   * 2^inputs patterns, which is only affordable for a few inputs.
   */
  readonly advancing?: readonly boolean[];
}

/** The export name for `op` on inputs of `dtypes` (and cast's target). */
export function exportName(op: string, dtypes: readonly DType[], statics: Readonly<Record<string, unknown>> = {}): string {
  const to = typeof statics["dtype"] === "string" ? `_${STORAGE[statics["dtype"] as IrDType].short}` : "";
  return `ew_${op}_${dtypes.map((d) => STORAGE[d].short).join("_")}${to}`;
}

/** Native operations of wasm: everything but the transcendental ones (expanded for float32). */
const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);

/** The expression a kernel computes: the op's expr with float32 transcendentals expanded. */
export function kernelExpr(op: string, dtypes: readonly IrDType[], statics: Readonly<Record<string, unknown>> = {}): Expr {
  const def = (opTable as Record<string, { expr?: ir.ElementwiseExpr<any> }>)[op]!;
  return ir.expandFloat32(ir.instantiate(def.expr!, dtypes, statics), NATIVE);
}

const ALL: readonly IrDType[] = ["bool", "int32", "float32", "float64"];

/** Input dtype combinations an op's kernel can see after promotion. */
function dtypeCombos(op: string): { dtypes: IrDType[]; statics: Record<string, unknown> }[] {
  const def = (opTable as Record<string, { arity: number; promote?: string; inputDTypes?: readonly DType[] }>)[op]!;
  if (op === "cast") return ALL.flatMap((from) => ALL.filter((to) => to !== from).map((to) => ({ dtypes: [from], statics: { dtype: to } })));
  if (op === "where") return ALL.map((d) => ({ dtypes: ["bool", d, d], statics: {} }));
  const base = def.promote === "float" ? ["float32", "float64"] : def.promote === "arith" ? ["int32", "float32", "float64"] : ALL;
  const allowed = (base as IrDType[]).filter((d) => def.inputDTypes === undefined || def.inputDTypes.includes(d));
  return allowed.map((d) => ({ dtypes: Array(def.arity).fill(d), statics: {} }));
}

/** Ops whose kernels are copies or fills (their expressions ignore the input or return it). */
const NOT_GENERATED = new Set(["onesLike", "zerosLike", "stopGradient"]);

/** Every elementwise export of the module: one per op and supported dtype combination. */
export function elementwiseExports(): ElementwiseExport[] {
  const out: ElementwiseExport[] = [];
  for (const [op, def] of Object.entries(opTable as Record<string, { expr?: unknown }>)) {
    if (def.expr === undefined || NOT_GENERATED.has(op)) continue;
    for (const { dtypes, statics } of dtypeCombos(op)) {
      let expr: Expr;
      try {
        expr = kernelExpr(op, dtypes, statics);
      } catch (e) {
        if (e instanceof ir.IrTypeError) continue; // a combination the op's expression rejects
        throw e;
      }
      out.push({ name: exportName(op, dtypes, statics), op, dtypes, statics, expr, attrs: ir.attrNames(expr) });
    }
  }
  return out;
}

/** The low 4 lanes of an i32x4 mask (0 or -1) as 4 bytes of 0 or 1. */
function maskToBytes(m: string): string {
  return `(v128.and (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${m} (v128.const i32x4 0 0 0 0)) (v128.const i32x4 0 0 0 0)) (i8x16.splat (i32.const 1)))`;
}

/** A vector of `lanes` inputs (bool: bytes widened to lane masks). */
function vecLoad(d: IrDType, ptr: string, offset: number, lanes: number): string {
  if (d === "bool" && lanes === 2)
    return `(i64x2.neg (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load16_splat offset=${offset} ${ptr})))))`;
  if (d === "bool") return `(i32x4.neg (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=${offset} ${ptr}))))`;
  if (lanes === 2 && d !== "float64") return `(v128.load64_zero offset=${offset} ${ptr})`; // two 32-bit values in the low lanes
  return `(v128.load offset=${offset} ${ptr})`;
}
/** Store a vector of `lanes` outputs (bool: lane masks narrowed to bytes of 0 or 1). */
function vecStore(d: IrDType, ptr: string, offset: number, v: string, lanes: number): string {
  if (d === "bool" && lanes === 2)
    return `(v128.store16_lane offset=${offset} 0 ${ptr} (v128.and (i8x16.shuffle 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ${v} (v128.const i32x4 0 0 0 0)) (i8x16.splat (i32.const 1))))`;
  if (d === "bool") return `(v128.store32_lane offset=${offset} 0 ${ptr} ${maskToBytes(v)})`;
  if (lanes === 2 && d !== "float64") return `(v128.store64_lane offset=${offset} 0 ${ptr} ${v})`;
  return `(v128.store offset=${offset} ${ptr} ${v})`;
}
const scalarLoad = (d: IrDType, ptr: string): string => (d === "bool" ? `(i32.load8_u ${ptr})` : `(${scalarType(d)}.load ${ptr})`);
const scalarStore = (d: IrDType, ptr: string, v: string): string => (d === "bool" ? `(i32.store8 ${ptr} ${v})` : `(${scalarType(d)}.store ${ptr} ${v})`);
const splatOf = (d: IrDType, s: string): string =>
  d === "bool" ? `(i32x4.splat (i32.sub (i32.const 0) ${s}))` : `(${d === "float32" ? "f32x4" : d === "float64" ? "f64x2" : "i32x4"}.splat ${s})`;

/** The text of one kernel, or null when its expression has no wasm form. */
export function elementwiseFunc(k: ElementwiseExport): string | null {
  const { dtypes, expr } = k;
  const N = dtypes.length;
  const out = expr.dtype;
  const lanes = Math.min(...[...dtypes, out].map((d) => (d === "bool" ? 4 : lanesOf(d)))) as 2 | 4;
  let low;
  try {
    low = lowerToWasm(expr, lanes, (name) => `$a${k.attrs.indexOf(name)}`);
  } catch (e) {
    if (e instanceof NoWasmForm) return null;
    throw e;
  }
  const ins = [...Array(N).keys()];
  const size = (d: IrDType) => STORAGE[d].size;
  const nonLeaf = ir.topoOrder([expr]).filter((e) => e.args.length > 0).length;
  // 4 vectors per iteration for short expressions: of one or two inputs (where's 8 variants stay
  // single), or of any number when the kernel is built for one pattern (a fused kernel).
  const unroll = out !== "bool" && (k.advancing ? nonLeaf <= 4 : nonLeaf <= 2 && N <= 2) ? 4 : 1;
  // One inner loop over `cnt` elements; `vec[i]`: input i advances (else it is the splat $zv_i).
  const inner = (vec: readonly boolean[]): string => {
    const advance = (by: (d: IrDType) => number) =>
      [...ins.filter((i) => vec[i]).map((i) => `(local.set $q${i} (i32.add (local.get $q${i}) (i32.const ${by(dtypes[i]!)})))`), `(local.set $qy (i32.add (local.get $qy) (i32.const ${by(out)})))`].join(" ");
    const vecStep = (u: number) => {
      const b = low.body("vec", (i) => (vec[i] ? vecLoad(dtypes[i]!, `(local.get $q${i})`, u * lanes * size(dtypes[i]!), lanes) : `(local.get $zv${i})`));
      return `${b.stmts}\n        ${vecStore(out, "(local.get $qy)", u * lanes * size(out), b.value, lanes)}`;
    };
    const sc = low.body("scalar", (i) => (vec[i] ? scalarLoad(dtypes[i]!, `(local.get $q${i})`) : `(local.get $z${i})`));
    const loop = (label: string, count: number, body: string, by: (d: IrDType) => number) => `
      (block $${label}d (loop $${label}l
        (br_if $${label}d (i32.lt_u (local.get $cnt) (i32.const ${count})))
        ${body}
        ${advance(by)}
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const ${count})))
        (br $${label}l)))`;
    return [
      unroll > 1 ? loop("u", unroll * lanes, [...Array(unroll).keys()].map(vecStep).join("\n        "), (d) => unroll * lanes * size(d)) : "",
      loop("v", lanes, vecStep(0), (d) => lanes * size(d)),
      loop("s", 1, `${sc.stmts}\n        ${scalarStore(out, "(local.get $qy)", sc.value)}`, size),
    ].join("");
  };
  // A kernel built for one pattern (a fused kernel, whose one input may be a broadcast view) runs that pattern;
  // otherwise arity 1 is always a vector (one input has the output's shape), and others branch per input.
  const variants = (i: number, vec: boolean[]): string => {
    if (i === N) return inner(vec);
    if (k.advancing) return inner(k.advancing);
    if (N === 1) return variants(1, [true]);
    return `(if (local.get $s${i}) (then ${variants(i + 1, [...vec, true])}) (else ${variants(i + 1, [...vec, false])}))`;
  };
  const body = variants(0, []);
  const rowBytes = 4 * (N + 1);
  const params = [
    ...ins.map((i) => `(param $p${i} i32)`),
    `(param $y i32) (param $tab i32) (param $outer i32) (param $len i32)`,
    ...ins.map((i) => `(param $s${i} i32)`),
    `(param $n i32)`,
    ...k.attrs.map((_, j) => `(param $a${j} f64)`),
    `(param $per i32) (param $chunk i32)`,
  ].join(" ");
  return `
  (func (export "${k.name}") ${params}
    (local $e i32) (local $end i32) (local $row i32) (local $col i32) (local $cnt i32) (local $r i32) (local $k i32) (local $d i32) (local $idx i32) (local $tp i32) (local $qy i32)
    ${ins.map((i) => `(local $o${i} i32) (local $q${i} i32) (local $z${i} ${scalarType(dtypes[i]!)}) (local $zv${i} v128)`).join(" ")}
    ${low.locals}
    ${low.prologue}
    (local.set $e ${k.range ? "(local.get $chunk)" : "(i32.mul (local.get $chunk) (local.get $per))"})
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $row (i32.div_u (local.get $e) (local.get $len)))
      (local.set $col (i32.rem_u (local.get $e) (local.get $len)))
      (local.set $cnt (i32.sub (local.get $len) (local.get $col)))
      (if (i32.gt_u (local.get $cnt) (i32.sub (local.get $end) (local.get $e))) (then (local.set $cnt (i32.sub (local.get $end) (local.get $e)))))
      ${ins.map((i) => `(local.set $o${i} (i32.const 0))`).join(" ")}
      (local.set $r (local.get $row))
      (local.set $k (local.get $outer))
      (block $od (loop $ol
        (br_if $od (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $tp (i32.add (local.get $tab) (i32.mul (local.get $k) (i32.const ${rowBytes}))))
        (local.set $d (i32.load (local.get $tp)))
        (local.set $idx (i32.rem_u (local.get $r) (local.get $d)))
        (local.set $r (i32.div_u (local.get $r) (local.get $d)))
        ${ins.map((i) => `(local.set $o${i} (i32.add (local.get $o${i}) (i32.mul (local.get $idx) (i32.load offset=${4 * (i + 1)} (local.get $tp)))))`).join("\n        ")}
        (br $ol)))
      ${ins.map((i) => `(local.set $q${i} (i32.add (local.get $p${i}) (i32.shl (i32.add (local.get $o${i}) (i32.mul (local.get $col) (local.get $s${i}))) (i32.const ${SHIFT[size(dtypes[i]!)]}))))`).join("\n      ")}
      (local.set $qy (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const ${SHIFT[size(out)]}))))
      (local.set $e (i32.add (local.get $e) (local.get $cnt)))
      ${N === 1 && !k.advancing?.includes(false) ? "" : ins.map((i) => `(local.set $z${i} ${scalarLoad(dtypes[i]!, `(local.get $q${i})`)}) (local.set $zv${i} ${splatOf(dtypes[i]!, `(local.get $z${i})`)})`).join("\n      ")}
      ${body}
      (br $rows))))`;
}

/** The text of every elementwise kernel, and the exports it defines. */
export function elementwiseFuncs(): { text: string; exports: ElementwiseExport[] } {
  const parts: string[] = [IPOW_HELPER];
  const exports: ElementwiseExport[] = [];
  for (const k of elementwiseExports()) {
    const f = elementwiseFunc(k);
    if (f === null) continue;
    parts.push(f);
    exports.push(k);
  }
  return { text: parts.join("\n"), exports };
}
