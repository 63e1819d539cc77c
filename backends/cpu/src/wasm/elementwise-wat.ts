/**
 * Generated WebAssembly text for elementwise kernels: binary ops with broadcasting (outer
 * dimensions through a stride table, the inner dimension as vector, splat or both) and
 * unary ops. Every export takes its arguments then a chunk index; a chunk is `per` elements.
 */
import { LANES, type LaneInfo, type WasmDType } from "./types.js";

/** Binary ops with a vector and a scalar form per dtype. */
export const BINARY_OPS: Record<string, Partial<Record<WasmDType, [vec: string, scalar: string]>>> = {
  add: { f32: ["f32x4.add", "f32.add"], f64: ["f64x2.add", "f64.add"], i32: ["i32x4.add", "i32.add"] },
  sub: { f32: ["f32x4.sub", "f32.sub"], f64: ["f64x2.sub", "f64.sub"], i32: ["i32x4.sub", "i32.sub"] },
  mul: { f32: ["f32x4.mul", "f32.mul"], f64: ["f64x2.mul", "f64.mul"], i32: ["i32x4.mul", "i32.mul"] },
  div: { f32: ["f32x4.div", "f32.div"], f64: ["f64x2.div", "f64.div"] },
  minimum: { f32: ["f32x4.min", "f32.min"], f64: ["f64x2.min", "f64.min"], i32: ["i32x4.min_s", "min_s"] },
  maximum: { f32: ["f32x4.max", "f32.max"], f64: ["f64x2.max", "f64.max"], i32: ["i32x4.max_s", "max_s"] },
};

/** Comparisons (bool output, one byte per element) with a vector mask and a scalar form per dtype. */
export const COMPARE_OPS: Record<string, Partial<Record<WasmDType, [vec: string, scalar: string]>>> = {};
for (const [op, f, i] of [
  ["equal", "eq", "eq"],
  ["notEqual", "ne", "ne"],
  ["less", "lt", "lt_s"],
  ["lessEqual", "le", "le_s"],
  ["greater", "gt", "gt_s"],
  ["greaterEqual", "ge", "ge_s"],
] as const)
  COMPARE_OPS[op] = { f32: [`f32x4.${f}`, `f32.${f}`], i32: [`i32x4.${i}`, `i32.${i}`] };

/** The low 4 lanes of an i32x4 mask (0 or -1) as 4 bytes of 0 or 1. */
function maskToBytes(m: string): string {
  return `(v128.and (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${m} (v128.const i32x4 0 0 0 0)) (v128.const i32x4 0 0 0 0)) (i8x16.splat (i32.const 1)))`;
}

function scalarBin(op: string, a: string, b: string): string {
  if (op === "min_s") return `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
  if (op === "max_s") return `(select ${a} ${b} (i32.gt_s ${a} ${b}))`;
  return `(${op} ${a} ${b})`;
}

/** One inner loop over `cnt` elements; `va`/`vb`: vector operand (load) or splat (constant). */
function innerLoop(t: LaneInfo, vop: string, sop: string, va: boolean, vb: boolean, bool = false): string {
  const A = va ? `(v128.load (local.get $pa))` : `(local.get $sa_v)`;
  const B = vb ? `(v128.load (local.get $pb))` : `(local.get $sb_v)`;
  const sA = va ? `(${t.s}.load (local.get $pa))` : `(local.get $sa_s)`;
  const sB = vb ? `(${t.s}.load (local.get $pb))` : `(local.get $sb_s)`;
  const step = t.lanes * t.size;
  // Arithmetic runs: 4 vectors per iteration first (fewer loop overheads per byte moved).
  const U = 4;
  const An = (u: number) => (va ? `(v128.load offset=${u * 16} (local.get $pa))` : `(local.get $sa_v)`);
  const Bn = (u: number) => (vb ? `(v128.load offset=${u * 16} (local.get $pb))` : `(local.get $sb_v)`);
  const unrolled = bool
    ? ""
    : `
      (block $ud (loop $ul
        (br_if $ud (i32.lt_u (local.get $cnt) (i32.const ${U * t.lanes})))
        ${[...Array(U).keys()].map((u) => `(v128.store offset=${u * 16} (local.get $py) (${vop} ${An(u)} ${Bn(u)}))`).join("\n        ")}
        ${va ? `(local.set $pa (i32.add (local.get $pa) (i32.const ${U * step})))` : ""}
        ${vb ? `(local.set $pb (i32.add (local.get $pb) (i32.const ${U * step})))` : ""}
        (local.set $py (i32.add (local.get $py) (i32.const ${U * step})))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const ${U * t.lanes})))
        (br $ul)))`;
  return `${unrolled}
      (block $vd (loop $vl
        (br_if $vd (i32.lt_u (local.get $cnt) (i32.const ${t.lanes})))
        ${bool ? `(v128.store32_lane 0 (local.get $py) ${maskToBytes(`(${vop} ${A} ${B})`)})` : `(v128.store (local.get $py) (${vop} ${A} ${B}))`}
        ${va ? `(local.set $pa (i32.add (local.get $pa) (i32.const ${step})))` : ""}
        ${vb ? `(local.set $pb (i32.add (local.get $pb) (i32.const ${step})))` : ""}
        (local.set $py (i32.add (local.get $py) (i32.const ${bool ? t.lanes : step})))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const ${t.lanes})))
        (br $vl)))
      (block $sd (loop $sl
        (br_if $sd (i32.eqz (local.get $cnt)))
        (local.set $x ${sA})
        (local.set $z ${sB})
        ${bool ? `(i32.store8 (local.get $py) (${sop} (local.get $x) (local.get $z)))` : `(${t.s}.store (local.get $py) ${scalarBin(sop, "(local.get $x)", "(local.get $z)")})`}
        ${va ? `(local.set $pa (i32.add (local.get $pa) (i32.const ${t.size})))` : ""}
        ${vb ? `(local.set $pb (i32.add (local.get $pb) (i32.const ${t.size})))` : ""}
        (local.set $py (i32.add (local.get $py) (i32.const ${bool ? 1 : t.size})))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
        (br $sl)))`;
}

/**
 * `bin_<op>_<dt>(a, b, y, tab, outer, len, sa, sb, n, per, chunk)`: y = a op b over the
 * output elements [chunk*per, min(n, chunk*per+per)). Output rows have `len` elements; the
 * `outer` dimensions before them are described at `tab` as [dim, strideA, strideB] (element
 * strides, 0 where broadcast), outermost first. `sa`/`sb` (0 or 1) are the inner strides.
 */
export function binaryFunc(op: string, dt: WasmDType): string {
  const t = LANES[dt];
  const bool = op in COMPARE_OPS;
  const [vop, sop] = (bool ? COMPARE_OPS : BINARY_OPS)[op]![dt]!;
  const sh = t.shift;
  const ysh = bool ? 0 : sh;
  return `
  (func $bin_${op}_${dt} (export "bin_${op}_${dt}")
    (param $a i32) (param $b i32) (param $y i32) (param $tab i32) (param $outer i32) (param $len i32)
    (param $sa i32) (param $sb i32) (param $n i32) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $row i32) (local $col i32) (local $cnt i32) (local $r i32)
    (local $k i32) (local $d i32) (local $idx i32) (local $oa i32) (local $ob i32) (local $tp i32)
    (local $pa i32) (local $pb i32) (local $py i32) (local $x ${t.s}) (local $z ${t.s})
    (local $sa_s ${t.s}) (local $sb_s ${t.s}) (local $sa_v v128) (local $sb_v v128)
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $row (i32.div_u (local.get $e) (local.get $len)))
      (local.set $col (i32.rem_u (local.get $e) (local.get $len)))
      (local.set $cnt (i32.sub (local.get $len) (local.get $col)))
      (if (i32.gt_u (local.get $cnt) (i32.sub (local.get $end) (local.get $e))) (then (local.set $cnt (i32.sub (local.get $end) (local.get $e)))))
      (local.set $oa (i32.const 0)) (local.set $ob (i32.const 0))
      (local.set $r (local.get $row))
      (local.set $k (local.get $outer))
      (block $od (loop $ol
        (br_if $od (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $tp (i32.add (local.get $tab) (i32.mul (local.get $k) (i32.const 12))))
        (local.set $d (i32.load (local.get $tp)))
        (local.set $idx (i32.rem_u (local.get $r) (local.get $d)))
        (local.set $r (i32.div_u (local.get $r) (local.get $d)))
        (local.set $oa (i32.add (local.get $oa) (i32.mul (local.get $idx) (i32.load offset=4 (local.get $tp)))))
        (local.set $ob (i32.add (local.get $ob) (i32.mul (local.get $idx) (i32.load offset=8 (local.get $tp)))))
        (br $ol)))
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (local.get $oa) (i32.mul (local.get $col) (local.get $sa))) (i32.const ${sh}))))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (local.get $ob) (i32.mul (local.get $col) (local.get $sb))) (i32.const ${sh}))))
      (local.set $py (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const ${ysh}))))
      (local.set $e (i32.add (local.get $e) (local.get $cnt)))
      (local.set $sa_s (${t.s}.load (local.get $pa)))
      (local.set $sb_s (${t.s}.load (local.get $pb)))
      (local.set $sa_v (${t.v}.splat (local.get $sa_s)))
      (local.set $sb_v (${t.v}.splat (local.get $sb_s)))
      (if (local.get $sa)
        (then (if (local.get $sb) (then ${innerLoop(t, vop, sop, true, true, bool)}) (else ${innerLoop(t, vop, sop, true, false, bool)})))
        (else (if (local.get $sb) (then ${innerLoop(t, vop, sop, false, true, bool)}) (else ${innerLoop(t, vop, sop, false, false, bool)}))))
      (br $rows))))`;
}

/** Unary ops: the body maps `$x` (vector) or `$s` (scalar) with params `$p0`, `$p1`. */
export const UNARY_OPS: Record<string, Partial<Record<"f32" | "f64", [vec: string, scalar: string]>>> = {};
for (const dt of ["f32", "f64"] as const) {
  const v = LANES[dt].v;
  const s = dt;
  const zeroV = `(${v}.splat (${s}.const 0))`;
  const def = (name: string, vec: string, sc: string) => ((UNARY_OPS[name] ??= {})[dt] = [vec, sc]);
  def("neg", `(${v}.neg (local.get $x))`, `(${s}.neg (local.get $s))`);
  def("abs", `(${v}.abs (local.get $x))`, `(${s}.abs (local.get $s))`);
  def("sqrt", `(${v}.sqrt (local.get $x))`, `(${s}.sqrt (local.get $s))`);
  def("floor", `(${v}.floor (local.get $x))`, `(${s}.floor (local.get $s))`);
  def("ceil", `(${v}.ceil (local.get $x))`, `(${s}.ceil (local.get $s))`);
  def("round", `(${v}.nearest (local.get $x))`, `(${s}.nearest (local.get $s))`);
  def("square", `(${v}.mul (local.get $x) (local.get $x))`, `(${s}.mul (local.get $s) (local.get $s))`);
  def("reciprocal", `(${v}.div (${v}.splat (${s}.const 1)) (local.get $x))`, `(${s}.div (${s}.const 1) (local.get $s))`);
  def("relu", `(${v}.max (local.get $x) ${zeroV})`, `(${s}.max (local.get $s) (${s}.const 0))`);
  def("relu6", `(${v}.min (${v}.max (local.get $x) ${zeroV}) (${v}.splat (${s}.const 6)))`, `(${s}.min (${s}.max (local.get $s) (${s}.const 0)) (${s}.const 6))`);
  def("clipByValue", `(${v}.min (${v}.max (local.get $x) (${v}.splat (local.get $p0))) (${v}.splat (local.get $p1)))`, `(${s}.min (${s}.max (local.get $s) (local.get $p0)) (local.get $p1))`);
  def(
    "leakyRelu",
    `(v128.bitselect (local.get $x) (${v}.mul (local.get $x) (${v}.splat (local.get $p0))) (${v}.gt (local.get $x) ${zeroV}))`,
    `(select (local.get $s) (${s}.mul (local.get $s) (local.get $p0)) (${s}.gt (local.get $s) (${s}.const 0)))`,
  );
  def("copy", `(local.get $x)`, `(local.get $s)`);
  UNARY_OPS["rsqrt"] ??= {};
}

{
  const one = `(f32x4.splat (f32.const 1))`;
  const lane = (v: string) => `(f32x4.extract_lane 0 ${v})`;
  const sv = `(f32x4.splat (local.get $s))`;
  const f32 = (name: string, helper: string) => (UNARY_OPS[name] = { f32: [`(call ${helper} (local.get $x))`, lane(`(call ${helper} ${sv})`)] });
  f32("exp", "$vexp_f32");
  const sig = (v: string) => `(f32x4.div ${one} (f32x4.add ${one} (call $vexp_f32 (f32x4.neg ${v}))))`;
  UNARY_OPS["sigmoid"] = { f32: [sig(`(local.get $x)`), lane(sig(sv))] };
  f32("log", "$vlog_f32");
  f32("log1p", "$vlog1p_f32");
  f32("tanh", "$vtanh_f32");
  f32("softplus", "$vsoftplus_f32");
}
for (const dt of ["f32", "f64"] as const) {
  const v = LANES[dt].v;
  UNARY_OPS["rsqrt"]![dt] = [`(${v}.div (${v}.splat (${dt}.const 1)) (${v}.sqrt (local.get $x)))`, `(${dt}.div (${dt}.const 1) (${dt}.sqrt (local.get $s)))`];
}

/**
 * `$vexp_f32(v) -> v`: e^v per lane (Cephes expf: range reduction by ln 2 in two parts, a
 * degree-5 polynomial, then 2^n built in the exponent bits as 2^(n-1) * 2 so n = 128
 * still overflows to infinity exactly). About 1 ulp; NaN stays NaN.
 */
export function expHelper(): string {
  const c = (v: number) => `(f32x4.splat (f32.const ${v}))`;
  return `
  (func $vexp_f32 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) ${c(-87.33654)}) ${c(88.72284)}))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) ${c(1.44269504088896341)})))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) ${c(0.693359375)})) (f32x4.mul (local.get $n) ${c(-2.12194440e-4)})))
    (local.set $p (f32x4.add (f32x4.mul ${c(1.9875691500e-4)} (local.get $r)) ${c(1.3981999507e-3)}))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${c(8.3334519073e-3)}))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${c(4.1665795894e-2)}))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${c(1.6666665459e-1)}))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${c(5.0000001201e-1)}))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) ${c(1)}))
    (f32x4.mul (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 126))) (i32.const 23)))
      ${c(2)}))`;
}

/**
 * `$vlog_f32`, `$vlog1p_f32`, `$vtanh_f32`, `$vsoftplus_f32` (v -> v), float32 per lane.
 * log: Cephes logf (mantissa in [sqrt(1/2), sqrt(2)), degree-8 polynomial, exponent added in
 * two parts); subnormals are scaled by 2^23 first; log(0) = -inf, log(x<0) = NaN, log(inf) = inf.
 * log1p(t) = log(u) * (t / (u - 1)) with u = 1 + t (corrects u's rounding), t where u == 1.
 * tanh: Cephes tanhf, an odd polynomial below |x| = 0.625, else 1 - 2 / (e^(2|x|) + 1), signed.
 * softplus(x) = max(x, 0) + log1p(e^-|x|).
 */
export function mathHelpers(): string {
  const lit = (v: number) => (v === Infinity ? "inf" : v === -Infinity ? "-inf" : Number.isNaN(v) ? "nan" : String(v));
  const c = (v: number) => `(f32x4.splat (f32.const ${lit(v)}))`;
  const ci = (v: number) => `(i32x4.splat (i32.const ${v}))`;
  const horner = (x: string, coefs: number[]) => coefs.slice(1).reduce((acc, k) => `(f32x4.add (f32x4.mul ${acc} ${x}) ${c(k)})`, c(coefs[0]!));
  return `
  (func $vlog_f32 (param $x v128) (result v128)
    (local $m v128) (local $e v128) (local $small v128) (local $lt v128) (local $z v128) (local $y v128) (local $r v128)
    (local.set $small (f32x4.lt (local.get $x) ${c(1.17549435e-38)}))
    (local.set $m (v128.bitselect (f32x4.mul (local.get $x) ${c(8388608)}) (local.get $x) (local.get $small)))
    (local.set $e (f32x4.convert_i32x4_s (i32x4.sub (i32x4.shr_u (local.get $m) (i32.const 23)) ${ci(126)})))
    (local.set $e (f32x4.sub (local.get $e) (v128.and (local.get $small) ${c(23)})))
    (local.set $m (v128.or (v128.and (local.get $m) ${ci(0x807fffff)}) ${ci(0x3f000000)}))
    (local.set $lt (f32x4.lt (local.get $m) ${c(0.707106781186547524)}))
    (local.set $e (f32x4.sub (local.get $e) (v128.and (local.get $lt) ${c(1)})))
    (local.set $m (f32x4.sub (f32x4.add (local.get $m) (v128.and (local.get $lt) (local.get $m))) ${c(1)}))
    (local.set $z (f32x4.mul (local.get $m) (local.get $m)))
    (local.set $y (f32x4.mul (f32x4.mul ${horner("(local.get $m)", [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1])} (local.get $m)) (local.get $z)))
    (local.set $y (f32x4.add (local.get $y) (f32x4.mul (local.get $e) ${c(-2.12194440e-4)})))
    (local.set $y (f32x4.sub (local.get $y) (f32x4.mul (local.get $z) ${c(0.5)})))
    (local.set $r (f32x4.add (f32x4.add (local.get $m) (local.get $y)) (f32x4.mul (local.get $e) ${c(0.693359375)})))
    (local.set $r (v128.bitselect ${c(Infinity)} (local.get $r) (f32x4.eq (local.get $x) ${c(Infinity)})))
    (local.set $r (v128.bitselect ${c(-Infinity)} (local.get $r) (f32x4.eq (local.get $x) ${c(0)})))
    (v128.bitselect (local.get $r) ${c(NaN)} (f32x4.ge (local.get $x) ${c(0)})))
  (func $vlog1p_f32 (param $t v128) (result v128)
    (local $u v128) (local $d v128)
    (local.set $u (f32x4.add (local.get $t) ${c(1)}))
    (local.set $d (f32x4.sub (local.get $u) ${c(1)}))
    (v128.bitselect (local.get $t)
      (f32x4.mul (call $vlog_f32 (local.get $u)) (f32x4.div (local.get $t) (local.get $d)))
      (v128.or (f32x4.eq (local.get $d) ${c(0)}) (f32x4.eq (local.get $u) ${c(Infinity)}))))
  (func $vtanh_f32 (param $x v128) (result v128)
    (local $a v128) (local $s v128) (local $p v128) (local $big v128)
    (local.set $a (f32x4.abs (local.get $x)))
    (local.set $s (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (f32x4.add (f32x4.mul (f32x4.mul ${horner("(local.get $s)", [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1])} (local.get $s)) (local.get $x)) (local.get $x)))
    (local.set $big (f32x4.sub ${c(1)} (f32x4.div ${c(2)} (f32x4.add (call $vexp_f32 (f32x4.add (local.get $a) (local.get $a))) ${c(1)}))))
    (local.set $big (v128.or (local.get $big) (v128.and (local.get $x) ${ci(-0x80000000)})))
    (v128.bitselect (local.get $p) (local.get $big) (f32x4.lt (local.get $a) ${c(0.625)})))
  (func $vsoftplus_f32 (param $x v128) (result v128)
    (f32x4.add (f32x4.max (local.get $x) ${c(0)}) (call $vlog1p_f32 (call $vexp_f32 (f32x4.neg (f32x4.abs (local.get $x)))))))`;
}

/** `un_<op>_<dt>(x, y, n, p0, p1, per, chunk)`: y = op(x) over [chunk*per, min(n, chunk*per+per)). */
export function unaryFunc(op: string, dt: "f32" | "f64"): string {
  const t = LANES[dt];
  const [vec, sc] = UNARY_OPS[op]![dt]!;
  const step = t.lanes * t.size;
  return `
  (func $un_${op}_${dt} (export "un_${op}_${dt}")
    (param $px i32) (param $py i32) (param $n i32) (param $p0 ${t.s}) (param $p1 ${t.s}) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $x v128) (local $s ${t.s})
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (local.set $px (i32.add (local.get $px) (i32.shl (local.get $e) (i32.const ${t.shift}))))
    (local.set $py (i32.add (local.get $py) (i32.shl (local.get $e) (i32.const ${t.shift}))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $e) (i32.const ${t.lanes})) (local.get $end)))
      (local.set $x (v128.load (local.get $px)))
      (v128.store (local.get $py) ${vec})
      (local.set $px (i32.add (local.get $px) (i32.const ${step})))
      (local.set $py (i32.add (local.get $py) (i32.const ${step})))
      (local.set $e (i32.add (local.get $e) (i32.const ${t.lanes})))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $s (${t.s}.load (local.get $px)))
      (${t.s}.store (local.get $py) ${sc})
      (local.set $px (i32.add (local.get $px) (i32.const ${t.size})))
      (local.set $py (i32.add (local.get $py) (i32.const ${t.size})))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $sl))))`;
}

/** Casts with a SIMD form: [from, to, in bytes, out bytes, vector (v128 $x of 4 inputs) -> 4 outputs, scalar ($s: i32/f32) -> value]. */
const CASTS: [string, string, number, number, string, string][] = [
  ["u8", "f32", 1, 4, `(f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (local.get $x))))`, `(f32.convert_i32_u (local.get $s))`],
  ["u8", "i32", 1, 4, `(i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (local.get $x)))`, `(local.get $s)`],
  ["i32", "f32", 4, 4, `(f32x4.convert_i32x4_s (local.get $x))`, `(f32.convert_i32_s (local.get $s))`],
  ["f32", "u8", 4, 1, `(v128.or (f32x4.lt (local.get $x) (v128.const f32x4 0 0 0 0)) (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0)))`, `(i32.or (f32.lt (local.get $f) (f32.const 0)) (f32.gt (local.get $f) (f32.const 0)))`],
  ["i32", "u8", 4, 1, `(v128.not (i32x4.eq (local.get $x) (v128.const i32x4 0 0 0 0)))`, `(i32.ne (local.get $s) (i32.const 0))`],
];

/** Names of the cast exports, keyed "from>to" with core dtypes. */
export const CAST_EXPORTS: Record<string, string> = {
  "bool>float32": "cast_u8_f32",
  "bool>int32": "cast_u8_i32",
  "int32>float32": "cast_i32_f32",
  "float32>bool": "cast_f32_u8",
  "int32>bool": "cast_i32_u8",
};

/**
 * `cast_<from>_<to>(x, y, n, per, chunk)`: y = cast(x) over [chunk*per, min(n, chunk*per+per)),
 * 4 elements at a time. Float to bool is x < 0 or x > 0 (NaN is false), as core's castScalar.
 */
export function castFuncs(): string {
  return CASTS.map(([from, to, ib, ob, vec, sc]) => {
    const load = ib === 1 ? `(v128.load32_zero (local.get $px))` : `(v128.load (local.get $px))`;
    const store = ob === 1 ? `(v128.store32_lane 0 (local.get $py) ${maskToBytes(vec)})` : `(v128.store (local.get $py) ${vec})`;
    const sload = from === "u8" ? `(local.set $s (i32.load8_u (local.get $px)))` : from === "f32" ? `(local.set $f (f32.load (local.get $px)))` : `(local.set $s (i32.load (local.get $px)))`;
    const sstore = to === "u8" ? `(i32.store8 (local.get $py) ${sc})` : to === "f32" ? `(f32.store (local.get $py) ${sc})` : `(i32.store (local.get $py) ${sc})`;
    return `
  (func (export "cast_${from}_${to}") (param $px i32) (param $py i32) (param $n i32) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $x v128) (local $s i32) (local $f f32)
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (local.set $px (i32.add (local.get $px) (i32.mul (local.get $e) (i32.const ${ib}))))
    (local.set $py (i32.add (local.get $py) (i32.mul (local.get $e) (i32.const ${ob}))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $e) (i32.const 4)) (local.get $end)))
      (local.set $x ${load})
      ${store}
      (local.set $px (i32.add (local.get $px) (i32.const ${4 * ib})))
      (local.set $py (i32.add (local.get $py) (i32.const ${4 * ob})))
      (local.set $e (i32.add (local.get $e) (i32.const 4)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $e) (local.get $end)))
      ${sload}
      ${sstore}
      (local.set $px (i32.add (local.get $px) (i32.const ${ib})))
      (local.set $py (i32.add (local.get $py) (i32.const ${ob})))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $sl))))`;
  }).join("\n");
}
