/**
 * Generated WebAssembly text for im2col (NHWC, float32): each row of the column matrix is
 * one output pixel's receptive field, kh x kw taps of c channels, zeros where padded.
 */

/**
 * `im2col_f32(x, cols, H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW, rows, per, chunk)`:
 * rows [chunk*per, min(rows, chunk*per+per)) of the column matrix (row = (b*OH + oy)*OW + ox).
 */
export function im2colFunc(): string {
  return `
  (func (export "im2col_f32") (param $x i32) (param $cols i32) (param $H i32) (param $W i32) (param $C i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $DH i32) (param $DW i32) (param $PT i32) (param $PL i32)
    (param $OH i32) (param $OW i32) (param $rows i32) (param $per i32) (param $chunk i32)
    (local $r i32) (local $re i32) (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $dst i32) (local $cb i32) (local $q i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $r (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $re (i32.add (local.get $r) (local.get $per)))
    (if (i32.gt_u (local.get $re) (local.get $rows)) (then (local.set $re (local.get $rows))))
    (local.set $dst (i32.add (local.get $cols) (i32.mul (local.get $r) (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $cb)))))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $re)))
      (local.set $ox (i32.rem_u (local.get $r) (local.get $OW)))
      (local.set $q (i32.div_u (local.get $r) (local.get $OW)))
      (local.set $oy (i32.rem_u (local.get $q) (local.get $OH)))
      (local.set $b (i32.div_u (local.get $q) (local.get $OH)))
      (local.set $ky (i32.const 0))
      (block $yd (loop $yl
        (br_if $yd (i32.ge_u (local.get $ky) (local.get $KH)))
        (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $SH)) (local.get $PT)) (i32.mul (local.get $ky) (local.get $DH))))
        (local.set $kx (i32.const 0))
        (block $xd (loop $xl
          (br_if $xd (i32.ge_u (local.get $kx) (local.get $KW)))
          (local.set $ix (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $SW)) (local.get $PL)) (i32.mul (local.get $kx) (local.get $DW))))
          (if (i32.and (i32.lt_u (local.get $iy) (local.get $H)) (i32.lt_u (local.get $ix) (local.get $W)))
            (then (memory.copy (local.get $dst)
              (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix)) (local.get $cb)))
              (local.get $cb)))
            (else (memory.fill (local.get $dst) (i32.const 0) (local.get $cb))))
          (local.set $dst (i32.add (local.get $dst) (local.get $cb)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $xl)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $yl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))`;
}
