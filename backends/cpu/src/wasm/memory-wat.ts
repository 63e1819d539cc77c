/**
 * Generated WebAssembly text for raw memory work: zeroing, copying, filling, and the rows of a
 * concat. Typed-array fill/copyWithin on a SharedArrayBuffer are slow in V8 (element-wise
 * atomic stores); bulk-memory instructions and SIMD stores are not.
 */

/** Blocks up to this many bytes are copied by an inline SIMD loop (a memory.copy call costs more). */
export const INLINE_COPY_MAX = 256;

/**
 * Exports `mem_zero(dst, bytes)`, `mem_copy(dst, src, bytes)`, `fill_u8(dst, n, v)`, `fill_i32(dst, n, bits)`,
 * `fill_f64(dst, n, v)`, and `concat_rows` (see {@link concatRowsFunc}).
 */
export function memoryFuncs(): string {
  return fillFuncs() + concatRowsFunc();
}

/**
 * `concat_rows(y, tab, k, rowBytes, total, per, chunk)`: writes bytes [chunk*per, min(total,
 * chunk*per+per)) of y, whose rows (rowBytes each) are the k blocks tab[i] = [src, bytes]
 * (int32 pairs at `tab`, bytes > 0) one after another, block i of row o read at src + o*bytes.
 * A chunk may start and end inside a block, so any output splits evenly across threads.
 * Short pieces are copied by a SIMD loop, long ones by memory.copy.
 */
export function concatRowsFunc(): string {
  return `
  (func (export "concat_rows") (param $y i32) (param $tab i32) (param $k i32) (param $row i32) (param $total i32) (param $per i32) (param $chunk i32)
    (local $pos i32) (local $end i32) (local $o i32) (local $r i32) (local $p i32) (local $pe i32) (local $b i32) (local $src i32) (local $dst i32) (local $n i32)
    (local.set $pos (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $pos) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $total)) (then (local.set $end (local.get $total))))
    (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return)))
    (local.set $o (i32.div_u (local.get $pos) (local.get $row)))
    (local.set $r (i32.sub (local.get $pos) (i32.mul (local.get $o) (local.get $row))))
    (local.set $pe (i32.add (local.get $tab) (i32.shl (local.get $k) (i32.const 3))))
    ;; the block holding the first byte, and the offset $r in it
    (local.set $p (local.get $tab))
    (block $fd (loop $fl
      (local.set $b (i32.load offset=4 (local.get $p)))
      (br_if $fd (i32.lt_u (local.get $r) (local.get $b)))
      (local.set $r (i32.sub (local.get $r) (local.get $b)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $fl)))
    (local.set $dst (i32.add (local.get $y) (local.get $pos)))
    (block $done (loop $blocks
      (local.set $b (i32.load offset=4 (local.get $p)))
      (local.set $src (i32.add (i32.add (i32.load (local.get $p)) (i32.mul (local.get $o) (local.get $b))) (local.get $r)))
      (local.set $n (i32.sub (local.get $b) (local.get $r)))
      (if (i32.gt_u (local.get $n) (i32.sub (local.get $end) (local.get $pos))) (then (local.set $n (i32.sub (local.get $end) (local.get $pos)))))
      (local.set $pos (i32.add (local.get $pos) (local.get $n)))
      (if (i32.gt_u (local.get $n) (i32.const ${INLINE_COPY_MAX}))
        (then
          (memory.copy (local.get $dst) (local.get $src) (local.get $n))
          (local.set $dst (i32.add (local.get $dst) (local.get $n))))
        (else
          (block $vd (loop $vl
            (br_if $vd (i32.lt_u (local.get $n) (i32.const 16)))
            (v128.store (local.get $dst) (v128.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 16)))
            (br $vl)))
          (block $wd (loop $wl
            (br_if $wd (i32.lt_u (local.get $n) (i32.const 4)))
            (i32.store (local.get $dst) (i32.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $wl)))
          (block $bd (loop $bl
            (br_if $bd (i32.eqz (local.get $n)))
            (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 1)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $bl)))))
      (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
      ;; the next block: the next input of this row, or the first of the next row
      (local.set $r (i32.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (if (i32.ge_u (local.get $p) (local.get $pe))
        (then
          (local.set $p (local.get $tab))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))))
      (br $blocks))))`;
}

/** Exports `mem_zero(dst, bytes)`, `mem_copy(dst, src, bytes)`, `fill_i32(dst, n, bits)`, `fill_f64(dst, n, v)`. */
function fillFuncs(): string {
  return `
  (func (export "mem_zero") (param $dst i32) (param $bytes i32)
    (memory.fill (local.get $dst) (i32.const 0) (local.get $bytes)))
  (func (export "mem_copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))
  (func (export "fill_u8") (param $dst i32) (param $n i32) (param $v i32)
    (memory.fill (local.get $dst) (local.get $v) (local.get $n)))
  (func (export "fill_i32") (param $dst i32) (param $n i32) (param $bits i32)
    (local $v v128)
    (local.set $v (i32x4.splat (local.get $bits)))
    (block $vd (loop $vl
      (br_if $vd (i32.lt_u (local.get $n) (i32.const 4)))
      (v128.store (local.get $dst) (local.get $v))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.eqz (local.get $n)))
      (i32.store (local.get $dst) (local.get $bits))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $sl))))
  (func (export "fill_f64") (param $dst i32) (param $n i32) (param $x f64)
    (local $v v128)
    (local.set $v (f64x2.splat (local.get $x)))
    (block $vd (loop $vl
      (br_if $vd (i32.lt_u (local.get $n) (i32.const 2)))
      (v128.store (local.get $dst) (local.get $v))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 2)))
      (br $vl)))
    (if (local.get $n) (then (f64.store (local.get $dst) (local.get $x)))))`;
}
