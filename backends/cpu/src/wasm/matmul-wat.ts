/**
 * Generated WebAssembly text for float32 matmul: B is packed into panels of 8 columns,
 * then a register-blocked micro-kernel (MR rows x 8 columns, 2*MR f32x4 accumulators)
 * runs over cache tiles (KC deep, MC rows, a range of panels per chunk). `fma` selects
 * relaxed-SIMD fused multiply-add or plain multiply + add.
 */

/** Panel width in columns (two f32x4 vectors). */
export const NR = 8;

/** Micro-kernel `$micro<r>`: C[r x 8] (+)= A[r x kc] * Bpanel[kc x 8]. */
function micro(r: number, fma: boolean): string {
  const madd = (a: string, b: string, c: string) => (fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);
  const rows = [...Array(r).keys()];
  const locals = rows.map((i) => `(local $r${i} i32) (local $c${i}0 v128) (local $c${i}1 v128)`).join(" ");
  const init = rows.map((i) => `(local.set $r${i} (i32.add (local.get $pa) (i32.mul (local.get $ars) (i32.const ${i}))))`).join("\n    ");
  const step = rows
    .map(
      (i) => `
      (local.set $av (v128.load32_splat (local.get $r${i})))
      (local.set $c${i}0 ${madd("(local.get $av)", "(local.get $b0)", `(local.get $c${i}0)`)})
      (local.set $c${i}1 ${madd("(local.get $av)", "(local.get $b1)", `(local.get $c${i}1)`)})
      (local.set $r${i} (i32.add (local.get $r${i}) (local.get $acs)))`,
    )
    .join("");
  const addC = rows
    .map(
      (i) => `
      (local.set $c${i}0 (f32x4.add (local.get $c${i}0) (v128.load (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const ${i}))))))
      (local.set $c${i}1 (f32x4.add (local.get $c${i}1) (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const ${i}))))))`,
    )
    .join("");
  const store = rows
    .map(
      (i) => `
    (v128.store (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const ${i}))) (local.get $c${i}0))
    (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const ${i}))) (local.get $c${i}1))`,
    )
    .join("");
  return `
  (func $micro${r} (param $pa i32) (param $ars i32) (param $acs i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $kc i32) (param $first i32)
    ${locals} (local $b0 v128) (local $b1 v128) (local $av v128)
    ${init}
    (block $kd (loop $kl
      (br_if $kd (i32.eqz (local.get $kc)))
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      ${step}
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $kl)))
    (if (i32.eqz (local.get $first)) (then ${addC}))
    ${store})`;
}

/**
 * Exports `pack_b` and `mm_f32`.
 * `pack_b(b, packed, K, N, brs, bcs, NP, bstride, pstride, chunk)`: panel j = chunk % NP of
 * B batch chunk / NP (element strides brs, bcs; batch strides in bytes) into K x 8 floats,
 * zero-padded past column N.
 * `mm_f32(tab, K, NP, ars, acs, ldc, M, MC, NCP, tilesM, tilesN, KC, chunk)`: one tile of
 * MC rows x NCP panels of one batch; `tab` holds per batch [aByte, packedByte, cByte].
 * A's strides `ars`/`acs` and C's row stride `ldc` are in bytes.
 */
export function matmulFuncs(mr: number, fma: boolean): string {
  const micros = [...Array(mr).keys()].map((i) => micro(i + 1, fma)).join("\n");
  const remCalls = [...Array(mr - 1).keys()]
    .map((i) => `(if (i32.eq (local.get $rem) (i32.const ${i + 1})) (then (call $micro${i + 1} (local.get $pa) (local.get $ars) (local.get $acs) (local.get $pb) (local.get $pc) (local.get $ldc) (local.get $kc) (local.get $first))))`)
    .join("\n              ");
  return `${micros}
  (func (export "pack_b") (param $b i32) (param $pp i32) (param $K i32) (param $N i32) (param $brs i32) (param $bcs i32)
    (param $NP i32) (param $bstride i32) (param $pstride i32) (param $chunk i32)
    (local $j i32) (local $src i32) (local $dst i32) (local $k i32) (local $c i32) (local $col i32) (local $row i32)
    (local.set $j (i32.rem_u (local.get $chunk) (local.get $NP)))
    (local.set $src (i32.add (local.get $b) (i32.mul (i32.div_u (local.get $chunk) (local.get $NP)) (local.get $bstride))))
    (local.set $dst (i32.add (i32.add (local.get $pp) (i32.mul (i32.div_u (local.get $chunk) (local.get $NP)) (local.get $pstride)))
      (i32.mul (local.get $j) (i32.mul (local.get $K) (i32.const 32)))))
    (local.set $col (i32.mul (local.get $j) (i32.const 8)))
    (if (i32.and (i32.eq (local.get $bcs) (i32.const 1)) (i32.le_u (i32.add (local.get $col) (i32.const 8)) (local.get $N)))
      (then
        (local.set $row (i32.add (local.get $src) (i32.shl (local.get $col) (i32.const 2))))
        (block $fd (loop $fl
          (br_if $fd (i32.ge_u (local.get $k) (local.get $K)))
          (v128.store (local.get $dst) (v128.load (local.get $row)))
          (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $row)))
          (local.set $row (i32.add (local.get $row) (i32.shl (local.get $brs) (i32.const 2))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $fl))))
      (else
        (block $kd (loop $kl
          (br_if $kd (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $c (i32.const 0))
          (block $cd (loop $cl
            (br_if $cd (i32.ge_u (local.get $c) (i32.const 8)))
            (if (i32.lt_u (i32.add (local.get $col) (local.get $c)) (local.get $N))
              (then (f32.store (local.get $dst) (f32.load (i32.add (local.get $src)
                (i32.shl (i32.add (i32.mul (local.get $k) (local.get $brs)) (i32.mul (i32.add (local.get $col) (local.get $c)) (local.get $bcs))) (i32.const 2))))))
              (else (f32.store (local.get $dst) (f32.const 0))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cl)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl))))))
  (func (export "mm_f32") (param $tab i32) (param $K i32) (param $NP i32) (param $ars i32) (param $acs i32) (param $ldc i32)
    (param $M i32) (param $MC i32) (param $NCP i32) (param $tilesM i32) (param $tilesN i32) (param $KC i32) (param $chunk i32)
    (local $tiles i32) (local $t i32) (local $tp i32) (local $a i32) (local $p i32) (local $c i32)
    (local $i0 i32) (local $i1 i32) (local $p0 i32) (local $p1 i32) (local $k0 i32) (local $kc i32) (local $first i32)
    (local $j i32) (local $i i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $rem i32)
    (local.set $tiles (i32.mul (local.get $tilesM) (local.get $tilesN)))
    (local.set $tp (i32.add (local.get $tab) (i32.mul (i32.div_u (local.get $chunk) (local.get $tiles)) (i32.const 12))))
    (local.set $a (i32.load (local.get $tp)))
    (local.set $p (i32.load offset=4 (local.get $tp)))
    (local.set $c (i32.load offset=8 (local.get $tp)))
    (local.set $t (i32.rem_u (local.get $chunk) (local.get $tiles)))
    (local.set $i0 (i32.mul (i32.div_u (local.get $t) (local.get $tilesN)) (local.get $MC)))
    (local.set $i1 (i32.add (local.get $i0) (local.get $MC)))
    (if (i32.gt_u (local.get $i1) (local.get $M)) (then (local.set $i1 (local.get $M))))
    (local.set $p0 (i32.mul (i32.rem_u (local.get $t) (local.get $tilesN)) (local.get $NCP)))
    (local.set $p1 (i32.add (local.get $p0) (local.get $NCP)))
    (if (i32.gt_u (local.get $p1) (local.get $NP)) (then (local.set $p1 (local.get $NP))))
    (local.set $first (i32.const 1))
    (block $kd (loop $kl
      (br_if $kd (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kc) (local.get $KC)) (then (local.set $kc (local.get $KC))))
      (local.set $j (local.get $p0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $p1)))
        (local.set $pb (i32.add (local.get $p) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $K)) (local.get $k0)) (i32.const 5))))
        (local.set $i (local.get $i0))
        (block $id (loop $il
          (br_if $id (i32.gt_u (i32.add (local.get $i) (i32.const ${mr})) (local.get $i1)))
          (local.set $pa (i32.add (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))) (i32.mul (local.get $k0) (local.get $acs))))
          (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 5))))
          (call $micro${mr} (local.get $pa) (local.get $ars) (local.get $acs) (local.get $pb) (local.get $pc) (local.get $ldc) (local.get $kc) (local.get $first))
          (local.set $i (i32.add (local.get $i) (i32.const ${mr})))
          (br $il)))
        (local.set $rem (i32.sub (local.get $i1) (local.get $i)))
        (if (local.get $rem) (then
          (local.set $pa (i32.add (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))) (i32.mul (local.get $k0) (local.get $acs))))
          (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 5))))
              ${remCalls}))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $first (i32.const 0))
      (local.set $k0 (i32.add (local.get $k0) (local.get $KC)))
      (br $kl))))`;
}
