/**
 * Generated WebAssembly text for epilogue kernels: a module that imports one prebuilt head
 * kernel (a matmul tile or a reduction's row chunk, from the "kernels" import: the same code as
 * the plain op), holds the tail (an elementwise function over a caller-chosen range, function
 * 1), and exports the driver `fused(prm, chunk)`: the head's chunk, then the tail over exactly
 * the outputs that chunk wrote. `prm` points at i32 words: the head's arguments without the
 * chunk, then the tail's arguments without `per` and `chunk`.
 */
import { IPOW_HELPER } from "./ir-wasm.js";

/** Words of a matmul driver's block before the tail's: `mm_f32`'s 12 arguments, then N. */
export const TILE_HEAD_WORDS = 13;
/** Words of a reduction driver's block before the tail's: x, y, R, I, O, per. */
export const ROWS_HEAD_WORDS = 6;

const word = (i: number): string => `(i32.load offset=${i * 4} (local.get $prm))`;
const words = (from: number, n: number): string => [...Array(n).keys()].map((i) => word(from + i)).join(" ");

/** The tail over [$e, $e + $cnt) given the block's tail words from `from`. */
const tailCall = (from: number, tailArgs: number, start: string, count: string): string => `(call 1 ${words(from, tailArgs)} ${count} ${start})`;

/**
 * The matmul driver: one tile of `mm_f32` (rows of one batch, a range of 8-column panels),
 * then the tail over each of the tile's rows, restricted to the tile's columns.
 */
export function tileDriver(tailArgs: number): string {
  const H = TILE_HEAD_WORDS;
  const start = `(i32.add (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $M)) (local.get $r)) (local.get $N)) (local.get $c0))`;
  return `
  (func (export "fused") (param $prm i32) (param $chunk i32)
    (local $tiles i32) (local $t i32) (local $bi i32) (local $r i32) (local $i1 i32) (local $c0 i32) (local $c1 i32) (local $M i32) (local $N i32)
    (call $head ${words(0, 12)} (local.get $chunk))
    (local.set $M ${word(6)})
    (local.set $N ${word(12)})
    (local.set $tiles (i32.mul ${word(9)} ${word(10)}))
    (local.set $bi (i32.div_u (local.get $chunk) (local.get $tiles)))
    (local.set $t (i32.rem_u (local.get $chunk) (local.get $tiles)))
    (local.set $r (i32.mul (i32.div_u (local.get $t) ${word(10)}) ${word(7)}))
    (local.set $i1 (i32.add (local.get $r) ${word(7)}))
    (if (i32.gt_u (local.get $i1) (local.get $M)) (then (local.set $i1 (local.get $M))))
    (local.set $c0 (i32.shl (i32.mul (i32.rem_u (local.get $t) ${word(10)}) ${word(8)}) (i32.const 3)))
    (local.set $c1 (i32.add (local.get $c0) (i32.shl ${word(8)} (i32.const 3))))
    (if (i32.gt_u (local.get $c1) (local.get $N)) (then (local.set $c1 (local.get $N))))
    (if (i32.ge_u (local.get $c0) (local.get $c1)) (then (return)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $i1)))
      ${tailCall(H, tailArgs, start, "(i32.sub (local.get $c1) (local.get $c0))")}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** The reduction driver: one row chunk of the head, then the tail over the outputs it wrote. */
export function rowsDriver(tailArgs: number): string {
  return `
  (func (export "fused") (param $prm i32) (param $chunk i32)
    (local $o i32) (local $oe i32)
    (call $head ${words(0, ROWS_HEAD_WORDS)} (local.get $chunk))
    (local.set $o (i32.mul (local.get $chunk) ${word(5)}))
    (local.set $oe (i32.add (local.get $o) ${word(5)}))
    (if (i32.gt_u (local.get $oe) ${word(4)}) (then (local.set $oe ${word(4)})))
    (if (i32.ge_u (local.get $o) (local.get $oe)) (then (return)))
    ${tailCall(ROWS_HEAD_WORDS, tailArgs, `(i32.mul (local.get $o) ${word(3)})`, `(i32.mul (i32.sub (local.get $oe) (local.get $o)) ${word(3)})`)})`;
}

/** The module: memory and head imports, the tail (function 1), the driver, and the helper the tail may call. */
export function epilogueModule(shared: boolean, maxPages: number, head: { name: string; params: number }, tail: string, driver: string): string {
  return `(module (import "env" "memory" (memory 1 ${maxPages}${shared ? " shared" : ""}))
  (import "kernels" "${head.name}" (func $head (param${" i32".repeat(head.params)})))
${tail}
${driver}
${tail.includes("$ipow") ? IPOW_HELPER : ""})`;
}
