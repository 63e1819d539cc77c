/**
 * Generated WebAssembly text for raw memory work: zeroing, copying and filling. Typed-array
 * fill/copyWithin on a SharedArrayBuffer are slow in V8 (element-wise atomic stores);
 * bulk-memory instructions and SIMD stores are not.
 */

/** Exports `mem_zero(dst, bytes)`, `mem_copy(dst, src, bytes)`, `fill_i32(dst, n, bits)`, `fill_f64(dst, n, v)`. */
export function memoryFuncs(): string {
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
