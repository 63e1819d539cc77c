/**
 * Generated WebAssembly text for max pooling (NHWC, float32): the forward max over each
 * window (f32x4.max over 4 channels at a time, NaN propagates) and the input gradient, which
 * adds each dy at its window's first maximum (a NaN counts as the maximum, as in core).
 */

const GEO = `(param $H i32) (param $W i32) (param $C i32) (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32) (param $OH i32) (param $OW i32)`;

/** Clip the window of output pixel (oy, ox) to the input: sets $y0 $y1 $x0 $x1 (input rows/columns, end exclusive). */
const WINDOW = `
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $SH)) (local.get $PT)))
        (local.set $y1 (i32.add (local.get $y0) (local.get $KH)))
        (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (i32.const 0))))
        (if (i32.gt_s (local.get $y1) (local.get $H)) (then (local.set $y1 (local.get $H))))
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $SW)) (local.get $PL)))
        (local.set $x1 (i32.add (local.get $x0) (local.get $KW)))
        (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
        (if (i32.gt_s (local.get $x1) (local.get $W)) (then (local.set $x1 (local.get $W))))`;

/** Loop over the clipped window's pixels; `$p` is the byte offset of the pixel's channel `$ci`. */
function taps(body: string): string {
  return `
          (local.set $iy (local.get $y0))
          (block $yd (loop $yl
            (br_if $yd (i32.ge_s (local.get $iy) (local.get $y1)))
            (local.set $ix (local.get $x0))
            (block $xd (loop $xl
              (br_if $xd (i32.ge_s (local.get $ix) (local.get $x1)))
              (local.set $p (i32.add (local.get $img) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $ci)) (i32.const 2))))
              ${body}
              (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
              (br $xl)))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $yl)))`;
}

const LOCALS = `(local $b i32) (local $be i32) (local $oy i32) (local $ox i32) (local $ci i32) (local $iy i32) (local $ix i32) (local $p i32)
    (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32) (local $img i32) (local $o i32) (local $first i32)`;

/** Loop over images [chunk*per, min(n, ...)), output pixels and channel groups (`vec`: 4 channels, `sc`: one). */
function pixels(vec: string, sc: string, perImage = ""): string {
  return `
    (local.set $b (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $be (i32.add (local.get $b) (local.get $per)))
    (if (i32.gt_u (local.get $be) (local.get $n)) (then (local.set $be (local.get $n))))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $be)))
      (local.set $img (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (i32.mul (local.get $b) (local.get $H)) (local.get $W)) (local.get $C)) (i32.const 2))))
      ${perImage}
      (local.set $o (i32.mul (i32.mul (i32.mul (local.get $b) (local.get $OH)) (local.get $OW)) (local.get $C)))
      (local.set $oy (i32.const 0))
      (block $oyd (loop $oyl
        (br_if $oyd (i32.ge_u (local.get $oy) (local.get $OH)))
        (local.set $ox (i32.const 0))
        (block $oxd (loop $oxl
          (br_if $oxd (i32.ge_u (local.get $ox) (local.get $OW)))
          ${WINDOW}
          (local.set $ci (i32.const 0))
          (block $cd (loop $cl
            (br_if $cd (i32.gt_u (i32.add (local.get $ci) (i32.const 4)) (local.get $C)))
            ${vec}
            (local.set $ci (i32.add (local.get $ci) (i32.const 4)))
            (br $cl)))
          (block $sd (loop $sl
            (br_if $sd (i32.ge_u (local.get $ci) (local.get $C)))
            ${sc}
            (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
            (br $sl)))
          (local.set $o (i32.add (local.get $o) (local.get $C)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl)))`;
}

/**
 * `maxpool_f32(x, y, n, H, W, C, KH, KW, SH, SW, PT, PL, OH, OW, per, chunk)` and
 * `maxpoolgrad_f32(x, dy, dx, n, ..., per, chunk)` over images [chunk*per, min(n, chunk*per+per)).
 */
export function poolFuncs(): string {
  const fwdVec = `
            (local.set $first (i32.const 1))
            ${taps(`(if (local.get $first) (then (local.set $bv (v128.load (local.get $p))) (local.set $first (i32.const 0)))
              (else (local.set $bv (f32x4.max (local.get $bv) (v128.load (local.get $p))))))`)}
            (v128.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $o) (local.get $ci)) (i32.const 2))) (local.get $bv))`;
  const fwdSc = `
            (local.set $first (i32.const 1))
            ${taps(`(if (local.get $first) (then (local.set $bs (f32.load (local.get $p))) (local.set $first (i32.const 0)))
              (else (local.set $bs (f32.max (local.get $bs) (f32.load (local.get $p))))))`)}
            (f32.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $o) (local.get $ci)) (i32.const 2))) (local.get $bs))`;
  // First maximum: take v when it is larger, or when it is NaN and the best so far is not.
  const take = (v: string, best: string, vt: "f32x4" | "f32") =>
    vt === "f32x4"
      ? `(v128.or (f32x4.gt ${v} ${best}) (v128.and (f32x4.ne ${v} ${v}) (f32x4.eq ${best} ${best})))`
      : `(i32.or (f32.gt ${v} ${best}) (i32.and (f32.ne ${v} ${v}) (f32.eq ${best} ${best})))`;
  const dxAt = (src: string) => `(i32.add (local.get $dx) (i32.sub ${src} (local.get $x)))`;
  const dyAt = (lane: number) => `(f32.load offset=${lane * 4} (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $ci)) (i32.const 2))))`;
  const gradVec = `
            (local.set $first (i32.const 1))
            ${taps(`(local.set $v (v128.load (local.get $p)))
              (if (local.get $first) (then (local.set $bv (local.get $v)) (local.set $av (i32x4.splat (local.get $p))) (local.set $first (i32.const 0)))
              (else
                (local.set $m ${take("(local.get $v)", "(local.get $bv)", "f32x4")})
                (local.set $bv (v128.bitselect (local.get $v) (local.get $bv) (local.get $m)))
                (local.set $av (v128.bitselect (i32x4.splat (local.get $p)) (local.get $av) (local.get $m)))))`)}
            ${[0, 1, 2, 3]
              .map(
                (l) => `(local.set $q ${dxAt(`(i32.add (i32x4.extract_lane ${l} (local.get $av)) (i32.const ${l * 4}))`)})
            (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) ${dyAt(l)}))`,
              )
              .join("\n            ")}`;
  const gradSc = `
            (local.set $first (i32.const 1))
            ${taps(`(local.set $s (f32.load (local.get $p)))
              (if (i32.or (local.get $first) ${take("(local.get $s)", "(local.get $bs)", "f32")})
                (then (local.set $bs (local.get $s)) (local.set $as (local.get $p)) (local.set $first (i32.const 0))))`)}
            (local.set $q ${dxAt("(local.get $as)")})
            (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) ${dyAt(0)}))`;
  const zeroImage = `(memory.fill ${dxAt("(local.get $img)")} (i32.const 0) (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2)))`;
  return `
  (func (export "maxpool_f32") (param $x i32) (param $y i32) (param $n i32) ${GEO} (param $per i32) (param $chunk i32)
    ${LOCALS} (local $bv v128) (local $bs f32)
    ${pixels(fwdVec, fwdSc)})
  (func (export "maxpoolgrad_f32") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) ${GEO} (param $per i32) (param $chunk i32)
    ${LOCALS} (local $bv v128) (local $bs f32) (local $v v128) (local $s f32) (local $m v128) (local $av v128) (local $as i32) (local $q i32)
    ${pixels(gradVec, gradSc, zeroImage)})`;
}
