/**
 * Generated WebAssembly text for sum reductions over a (outer, reduced, inner) view of the
 * input. float32 rows are summed with float64 accumulators, as the reference does, so
 * long sums agree with it; float64 rows use f64x2.
 */

/** `$rowsum_<dt>(p, len) -> f64`: sum of `len` contiguous elements at byte offset `p`. */
function rowSum(dt: "f32" | "f64" | "i32"): string {
  const widen = dt === "i32" ? "f64x2.convert_low_i32x4_s" : "f64x2.promote_low_f32x4";
  const body =
    dt !== "f64"
      ? `
      (local.set $v (v128.load (local.get $p)))
      (local.set $a0 (f64x2.add (local.get $a0) (${widen} (local.get $v))))
      (local.set $a1 (f64x2.add (local.get $a1) (${widen} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $v (v128.load offset=16 (local.get $p)))
      (local.set $a2 (f64x2.add (local.get $a2) (${widen} (local.get $v))))
      (local.set $a3 (f64x2.add (local.get $a3) (${widen} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))`
      : `
      (local.set $a0 (f64x2.add (local.get $a0) (v128.load (local.get $p))))
      (local.set $a1 (f64x2.add (local.get $a1) (v128.load offset=16 (local.get $p))))
      (local.set $a2 (f64x2.add (local.get $a2) (v128.load offset=32 (local.get $p))))
      (local.set $a3 (f64x2.add (local.get $a3) (v128.load offset=48 (local.get $p))))`;
  const per = 8;
  const size = dt === "f64" ? 8 : 4;
  const load = dt === "f32" ? `(f64.promote_f32 (f32.load (local.get $p)))` : dt === "i32" ? `(f64.convert_i32_s (i32.load (local.get $p)))` : `(f64.load (local.get $p))`;
  return `
  (func $rowsum_${dt} (param $p i32) (param $len i32) (result f64)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128) (local $s f64)
    (block $vd (loop $vl
      (br_if $vd (i32.lt_u (local.get $len) (i32.const ${per})))
      ${body}
      (local.set $p (i32.add (local.get $p) (i32.const ${per * size})))
      (local.set $len (i32.sub (local.get $len) (i32.const ${per})))
      (br $vl)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (block $sd (loop $sl
      (br_if $sd (i32.eqz (local.get $len)))
      (local.set $s (f64.add (local.get $s) ${load}))
      (local.set $p (i32.add (local.get $p) (i32.const ${size})))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $sl)))
    (local.get $s))`;
}

/**
 * `sum_<dt>(x, y, R, I, O, per, chunk)`: y[o, i] = sum_r x[o, r, i] for the outer rows
 * [chunk*per, min(O, chunk*per+per)). `sumpart_<dt>(x, part, R, seg, P, chunk)`: the float64
 * partial sum of segment p = chunk % P (length seg) of row o = chunk / P, into part[chunk].
 */
export function sumFuncs(dt: "f32" | "f64" | "i32"): string {
  const v = dt === "f32" ? "f32x4" : dt === "i32" ? "i32x4" : "f64x2";
  const lanes = dt === "f64" ? 2 : 4;
  const size = dt === "f64" ? 8 : 4;
  const sh = dt === "f64" ? 3 : 2;
  // int32: the float64 sum (exact below 2^53) wrapped modulo 2^32, as int32 storage of the reference's sum does.
  const sum = `(call $rowsum_${dt} (local.get $px) (local.get $R))`;
  const store = dt === "f32" ? `(f32.store (local.get $py) (f32.demote_f64 ${sum}))` : dt === "i32" ? `(i32.store (local.get $py) (i32.wrap_i64 (i64.trunc_sat_f64_s ${sum})))` : `(f64.store (local.get $py) ${sum})`;
  return `${rowSum(dt)}
  (func (export "sum_${dt}") (param $x i32) (param $y i32) (param $R i32) (param $I i32) (param $O i32) (param $per i32) (param $chunk i32)
    (local $o i32) (local $oe i32) (local $px i32) (local $py i32) (local $r i32) (local $i i32) (local $rowBytes i32) (local $q i32)
    (local.set $o (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $oe (i32.add (local.get $o) (local.get $per)))
    (if (i32.gt_u (local.get $oe) (local.get $O)) (then (local.set $oe (local.get $O))))
    (local.set $rowBytes (i32.shl (i32.mul (local.get $R) (local.get $I)) (i32.const ${sh})))
    (block $od (loop $ol
      (br_if $od (i32.ge_u (local.get $o) (local.get $oe)))
      (local.set $px (i32.add (local.get $x) (i32.mul (local.get $o) (local.get $rowBytes))))
      (local.set $py (i32.add (local.get $y) (i32.shl (i32.mul (local.get $o) (local.get $I)) (i32.const ${sh}))))
      (if (i32.eq (local.get $I) (i32.const 1))
        (then ${store})
        (else
          (memory.fill (local.get $py) (i32.const 0) (i32.shl (local.get $I) (i32.const ${sh})))
          (local.set $r (i32.const 0))
          (block $rd (loop $rl
            (br_if $rd (i32.ge_u (local.get $r) (local.get $R)))
            (local.set $q (local.get $py))
            (local.set $i (i32.const 0))
            (block $vd (loop $vl
              (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const ${lanes})) (local.get $I)))
              (v128.store (local.get $q) (${v}.add (v128.load (local.get $q)) (v128.load (local.get $px))))
              (local.set $q (i32.add (local.get $q) (i32.const ${lanes * size})))
              (local.set $px (i32.add (local.get $px) (i32.const ${lanes * size})))
              (local.set $i (i32.add (local.get $i) (i32.const ${lanes})))
              (br $vl)))
            (block $sd (loop $sl
              (br_if $sd (i32.ge_u (local.get $i) (local.get $I)))
              (${dt}.store (local.get $q) (${dt}.add (${dt}.load (local.get $q)) (${dt}.load (local.get $px))))
              (local.set $q (i32.add (local.get $q) (i32.const ${size})))
              (local.set $px (i32.add (local.get $px) (i32.const ${size})))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $sl)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $ol))))
  (func (export "sumpart_${dt}") (param $x i32) (param $part i32) (param $R i32) (param $seg i32) (param $P i32) (param $chunk i32)
    (local $o i32) (local $s0 i32) (local $len i32)
    (local.set $o (i32.div_u (local.get $chunk) (local.get $P)))
    (local.set $s0 (i32.mul (i32.rem_u (local.get $chunk) (local.get $P)) (local.get $seg)))
    (local.set $len (local.get $seg))
    (if (i32.gt_u (i32.add (local.get $s0) (local.get $len)) (local.get $R)) (then (local.set $len (i32.sub (local.get $R) (local.get $s0)))))
    (if (i32.gt_s (local.get $len) (i32.const 0))
      (then (f64.store (i32.add (local.get $part) (i32.shl (local.get $chunk) (i32.const 3)))
        (call $rowsum_${dt} (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $o) (local.get $R)) (local.get $s0)) (i32.const ${sh}))) (local.get $len))))
      (else (f64.store (i32.add (local.get $part) (i32.shl (local.get $chunk) (i32.const 3))) (f64.const 0)))))`;
}

/**
 * `max_f32` / `min_f32(x, y, R, I, O, per, chunk)`: y[o, i] = max (min) over r of x[o, r, i]
 * for the outer rows [chunk*per, min(O, chunk*per+per)), R >= 1. NaN propagates (f32x4.max).
 */
export function extremumFuncs(): string {
  return (["max", "min"] as const)
    .map(
      (op) => `
  (func $row${op}_f32 (param $p i32) (param $len i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
    (local.set $s (f32.load (local.get $p)))
    (local.set $a0 (f32x4.splat (local.get $s)))
    (local.set $a1 (local.get $a0)) (local.set $a2 (local.get $a0)) (local.set $a3 (local.get $a0))
    (block $vd (loop $vl
      (br_if $vd (i32.lt_u (local.get $len) (i32.const 16)))
      (local.set $a0 (f32x4.${op} (local.get $a0) (v128.load (local.get $p))))
      (local.set $a1 (f32x4.${op} (local.get $a1) (v128.load offset=16 (local.get $p))))
      (local.set $a2 (f32x4.${op} (local.get $a2) (v128.load offset=32 (local.get $p))))
      (local.set $a3 (f32x4.${op} (local.get $a3) (v128.load offset=48 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (local.set $len (i32.sub (local.get $len) (i32.const 16)))
      (br $vl)))
    (local.set $a0 (f32x4.${op} (f32x4.${op} (local.get $a0) (local.get $a1)) (f32x4.${op} (local.get $a2) (local.get $a3))))
    (local.set $s (f32.${op} (f32.${op} (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
      (f32.${op} (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
    (block $sd (loop $sl
      (br_if $sd (i32.eqz (local.get $len)))
      (local.set $s (f32.${op} (local.get $s) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $sl)))
    (local.get $s))
  (func (export "${op}_f32") (param $x i32) (param $y i32) (param $R i32) (param $I i32) (param $O i32) (param $per i32) (param $chunk i32)
    (local $o i32) (local $oe i32) (local $px i32) (local $py i32) (local $r i32) (local $i i32) (local $rowBytes i32) (local $q i32)
    (local.set $o (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $oe (i32.add (local.get $o) (local.get $per)))
    (if (i32.gt_u (local.get $oe) (local.get $O)) (then (local.set $oe (local.get $O))))
    (local.set $rowBytes (i32.shl (i32.mul (local.get $R) (local.get $I)) (i32.const 2)))
    (block $od (loop $ol
      (br_if $od (i32.ge_u (local.get $o) (local.get $oe)))
      (local.set $px (i32.add (local.get $x) (i32.mul (local.get $o) (local.get $rowBytes))))
      (local.set $py (i32.add (local.get $y) (i32.shl (i32.mul (local.get $o) (local.get $I)) (i32.const 2))))
      (if (i32.eq (local.get $I) (i32.const 1))
        (then (f32.store (local.get $py) (call $row${op}_f32 (local.get $px) (local.get $R))))
        (else
          (memory.copy (local.get $py) (local.get $px) (i32.shl (local.get $I) (i32.const 2)))
          (local.set $px (i32.add (local.get $px) (i32.shl (local.get $I) (i32.const 2))))
          (local.set $r (i32.const 1))
          (block $rd (loop $rl
            (br_if $rd (i32.ge_u (local.get $r) (local.get $R)))
            (local.set $q (local.get $py))
            (local.set $i (i32.const 0))
            (block $vd (loop $vl
              (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $I)))
              (v128.store (local.get $q) (f32x4.${op} (v128.load (local.get $q)) (v128.load (local.get $px))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $px (i32.add (local.get $px) (i32.const 16)))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $vl)))
            (block $sd (loop $sl
              (br_if $sd (i32.ge_u (local.get $i) (local.get $I)))
              (f32.store (local.get $q) (f32.${op} (f32.load (local.get $q)) (f32.load (local.get $px))))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $px (i32.add (local.get $px) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $sl)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $ol))))`,
    )
    .join("\n");
}
