/**
 * Generated WebAssembly text for strided copies (transpose, broadcastTo, stridedSlice): the
 * output is written in order; each output row reads the input at a base offset plus its
 * index times a stride (1: a vector copy, 0: a splat fill, otherwise a gather).
 */

const TYPES = [
  { w: 1, load: "i32.load8_u", store: "i32.store8", t: "i32" },
  { w: 4, load: "i32.load", store: "i32.store", t: "i32" },
  { w: 8, load: "i64.load", store: "i64.store", t: "i64" },
] as const;

/**
 * `gather_<w>(x, y, tab, outer, len, sx, n, per, chunk)` for element widths w = 1, 4, 8 bytes:
 * y[e] = x[off(e)] for output elements [chunk*per, min(n, chunk*per+per)). Output rows have
 * `len` elements read at input stride `sx`; the `outer` dims before them are [dim, stride]
 * pairs at `tab` (element strides, possibly negative), outermost first.
 */
export function gatherFuncs(): string {
  return TYPES.map(
    ({ w, load, store, t }) => `
  (func (export "gather_${w}") (param $x i32) (param $y i32) (param $tab i32) (param $outer i32) (param $len i32) (param $sx i32)
    (param $n i32) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $row i32) (local $col i32) (local $cnt i32) (local $r i32) (local $k i32) (local $d i32)
    (local $off i32) (local $tp i32) (local $ps i32) (local $py i32) (local $step i32) (local $v ${t}) (local $vv v128)
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (local.set $step (i32.mul (local.get $sx) (i32.const ${w})))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $row (i32.div_u (local.get $e) (local.get $len)))
      (local.set $col (i32.rem_u (local.get $e) (local.get $len)))
      (local.set $cnt (i32.sub (local.get $len) (local.get $col)))
      (if (i32.gt_u (local.get $cnt) (i32.sub (local.get $end) (local.get $e))) (then (local.set $cnt (i32.sub (local.get $end) (local.get $e)))))
      (local.set $off (i32.mul (local.get $col) (local.get $sx)))
      (local.set $r (local.get $row))
      (local.set $k (local.get $outer))
      (block $od (loop $ol
        (br_if $od (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $tp (i32.add (local.get $tab) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $d (i32.load (local.get $tp)))
        (local.set $off (i32.add (local.get $off) (i32.mul (i32.rem_u (local.get $r) (local.get $d)) (i32.load offset=4 (local.get $tp)))))
        (local.set $r (i32.div_u (local.get $r) (local.get $d)))
        (br $ol)))
      (local.set $ps (i32.add (local.get $x) (i32.mul (local.get $off) (i32.const ${w}))))
      (local.set $py (i32.add (local.get $y) (i32.mul (local.get $e) (i32.const ${w}))))
      (local.set $e (i32.add (local.get $e) (local.get $cnt)))
      (if (i32.eq (local.get $sx) (i32.const 1))
        (then
          (block $vd (loop $vl
            (br_if $vd (i32.lt_u (local.get $cnt) (i32.const ${16 / w})))
            (v128.store (local.get $py) (v128.load (local.get $ps)))
            (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
            (local.set $py (i32.add (local.get $py) (i32.const 16)))
            (local.set $cnt (i32.sub (local.get $cnt) (i32.const ${16 / w})))
            (br $vl))))
        (else (if (i32.eqz (local.get $sx))
          (then
            (local.set $vv (${w === 1 ? "i8x16" : w === 4 ? "i32x4" : "i64x2"}.splat (${load} (local.get $ps))))
            (block $fd (loop $fl
              (br_if $fd (i32.lt_u (local.get $cnt) (i32.const ${16 / w})))
              (v128.store (local.get $py) (local.get $vv))
              (local.set $py (i32.add (local.get $py) (i32.const 16)))
              (local.set $cnt (i32.sub (local.get $cnt) (i32.const ${16 / w})))
              (br $fl)))))))
      (block $sd (loop $sl
        (br_if $sd (i32.eqz (local.get $cnt)))
        (${store} (local.get $py) (${load} (local.get $ps)))
        (local.set $ps (i32.add (local.get $ps) (local.get $step)))
        (local.set $py (i32.add (local.get $py) (i32.const ${w})))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
        (br $sl)))
      (br $rows))))`,
  ).join("\n");
}
