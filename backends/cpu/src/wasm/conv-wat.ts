/**
 * Generated WebAssembly text for im2col (NHWC, float32): each row of the column matrix is
 * one output pixel's receptive field, kh x kw taps of c channels, zeros where padded. Work
 * goes tap by tap along an output line: zeros left of the valid columns, a strided copy of c
 * floats per pixel (one word when c = 1), zeros right of them.
 */

/** Write `$cb` bytes at `$d` from `vec`/`word` (expressions of the byte offset `$o`): 16 bytes at a time, then 4. */
function copyLoop(vec: string, word: string): string {
  return `
              (local.set $o (i32.const 0))
              (block $vd (loop $vl
                (br_if $vd (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $cb)))
                (v128.store (i32.add (local.get $d) (local.get $o)) ${vec})
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $vl)))
              (block $wd (loop $wl
                (br_if $wd (i32.ge_u (local.get $o) (local.get $cb)))
                (i32.store (i32.add (local.get $d) (local.get $o)) ${word})
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $wl)))`;
}

/** Zero `$cb` bytes at `$d`. */
function zeroCopy(): string {
  return copyLoop("(v128.const i32x4 0 0 0 0)", "(i32.const 0)");
}

/** Run `body` for ox = $ox .. end-1, advancing the destination by a row and the source by a step. */
function span(label: string, end: string, body: string): string {
  return `
          (block ${label}d (loop ${label}l
            (br_if ${label}d (i32.ge_s (local.get $ox) ${end}))
            ${body}
            (local.set $d (i32.add (local.get $d) (local.get $rb)))
            (local.set $s (i32.add (local.get $s) (local.get $sstep)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br ${label}l)))`;
}

/**
 * `im2col_f32(x, cols, H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW, lines, per, chunk)`:
 * the column-matrix rows of output lines [chunk*per, min(lines, chunk*per+per)), where line
 * (b*OH + oy) holds pixels (b, oy, 0..OW-1), row = line*OW + ox.
 */
export function im2colFunc(): string {
  return `
  (func (export "im2col_f32") (param $x i32) (param $cols i32) (param $H i32) (param $W i32) (param $C i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $DH i32) (param $DW i32) (param $PT i32) (param $PL i32)
    (param $OH i32) (param $OW i32) (param $lines i32) (param $per i32) (param $chunk i32)
    (local $l i32) (local $le i32) (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $d i32) (local $cb i32) (local $rb i32) (local $s i32) (local $line i32)
    (local $sstep i32) (local $o i32) (local $lo i32) (local $hi i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rb (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $cb)))
    (local.set $sstep (i32.mul (local.get $SW) (local.get $cb)))
    (local.set $l (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $le (i32.add (local.get $l) (local.get $per)))
    (if (i32.gt_u (local.get $le) (local.get $lines)) (then (local.set $le (local.get $lines))))
    (block $ld (loop $ll
      (br_if $ld (i32.ge_u (local.get $l) (local.get $le)))
      (local.set $oy (i32.rem_u (local.get $l) (local.get $OH)))
      (local.set $b (i32.div_u (local.get $l) (local.get $OH)))
      (local.set $line (i32.add (local.get $cols) (i32.mul (i32.mul (local.get $l) (local.get $OW)) (local.get $rb))))
      (local.set $ky (i32.const 0))
      (block $yd (loop $yl
        (br_if $yd (i32.ge_u (local.get $ky) (local.get $KH)))
        (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $SH)) (local.get $PT)) (i32.mul (local.get $ky) (local.get $DH))))
        (local.set $kx (i32.const 0))
        (block $xd (loop $xl
          (br_if $xd (i32.ge_u (local.get $kx) (local.get $KW)))
          (local.set $d (i32.add (local.get $line) (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $KW)) (local.get $kx)) (local.get $cb))))
          (local.set $ix (i32.sub (i32.mul (local.get $kx) (local.get $DW)) (local.get $PL)))
          (local.set $s (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix)) (local.get $cb))))
          ;; valid output columns [lo, hi): 0 <= ix < W; zeros outside, and everywhere when iy is out of range
          (local.set $lo (i32.sub (local.get $PL) (i32.mul (local.get $kx) (local.get $DW))))
          (local.set $lo (select (i32.div_s (i32.add (local.get $lo) (i32.sub (local.get $SW) (i32.const 1))) (local.get $SW)) (i32.const 0) (i32.gt_s (local.get $lo) (i32.const 0))))
          (local.set $hi (i32.sub (i32.add (local.get $W) (local.get $PL)) (i32.mul (local.get $kx) (local.get $DW))))
          (local.set $hi (select (i32.div_s (i32.add (local.get $hi) (i32.sub (local.get $SW) (i32.const 1))) (local.get $SW)) (i32.const 0) (i32.gt_s (local.get $hi) (i32.const 0))))
          (if (i32.gt_s (local.get $hi) (local.get $OW)) (then (local.set $hi (local.get $OW))))
          (if (i32.ge_u (local.get $iy) (local.get $H)) (then (local.set $hi (i32.const 0))))
          (if (i32.gt_s (local.get $lo) (local.get $hi)) (then (local.set $lo (local.get $hi))))
          (local.set $ox (i32.const 0))
          ${span("$zero1", "(local.get $lo)", zeroCopy())}
          (if (i32.eq (local.get $C) (i32.const 1))
            (then ${span("$one", "(local.get $hi)", `(i32.store (local.get $d) (i32.load (local.get $s)))`)})
            (else ${span("$many", "(local.get $hi)", copyLoop("(v128.load (i32.add (local.get $s) (local.get $o)))", "(i32.load (i32.add (local.get $s) (local.get $o)))"))}))
          ${span("$zero2", "(local.get $OW)", zeroCopy())}
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $xl)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $yl)))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (br $ll))))`;
}
