/**
 * Generated WebAssembly text for the index ops the training loops need: gather (row copies),
 * unsortedSegmentSum (row accumulation, f32 and i32), argMax (f32 and i32, the first maximum,
 * a NaN counts as the maximum) and the strided scatter behind stridedSliceGrad. Indices are
 * validated by the caller. Every export takes its arguments then a chunk index.
 */

/**
 * `gather_rows(x, idx, y, O, n, I, rowBytes, rows, per, chunk)`: for rows r = (b*O + o)*I + i in
 * [chunk*per, min(rows, ...)): y row r = x row (b*O + o)*n + idx[b*I + i], `rowBytes` bytes each.
 */
function gatherRows(): string {
  return `
  (func (export "gather_rows") (param $x i32) (param $idx i32) (param $y i32) (param $O i32) (param $n i32) (param $I i32)
    (param $rowBytes i32) (param $rows i32) (param $per i32) (param $chunk i32)
    (local $r i32) (local $end i32) (local $bo i32) (local $i i32) (local $b i32)
    (local.set $r (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $r) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $rows)) (then (local.set $end (local.get $rows))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $bo (i32.div_u (local.get $r) (local.get $I)))
      (local.set $i (i32.rem_u (local.get $r) (local.get $I)))
      (local.set $b (i32.div_u (local.get $bo) (local.get $O)))
      (memory.copy
        (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $rowBytes)))
        (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $bo) (local.get $n))
          (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $I)) (local.get $i)) (i32.const 2))))) (local.get $rowBytes)))
        (local.get $rowBytes))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $l))))`;
}

/**
 * `segsum_<t>(x, ids, y, O, n, I, R, BO, per, chunk)`: y (zeroed by the caller) row
 * (b*O + o)*n + ids[b*I + i] += x row (b*O + o)*I + i, R elements per row; chunks split the
 * (b, o) blocks, which write disjoint parts of y.
 */
function segmentSum(t: "f32" | "i32"): string {
  const v = t === "f32" ? "f32x4" : "i32x4";
  return `
  (func (export "segsum_${t}") (param $x i32) (param $ids i32) (param $y i32) (param $O i32) (param $n i32) (param $I i32)
    (param $R i32) (param $BO i32) (param $per i32) (param $chunk i32)
    (local $bo i32) (local $end i32) (local $i i32) (local $src i32) (local $dst i32) (local $k i32) (local $b i32)
    (local.set $bo (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $bo) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $BO)) (then (local.set $end (local.get $BO))))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $bo) (local.get $end)))
      (local.set $b (i32.div_u (local.get $bo) (local.get $O)))
      (local.set $i (i32.const 0))
      (block $idone (loop $rows
        (br_if $idone (i32.ge_u (local.get $i) (local.get $I)))
        (local.set $src (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $bo) (local.get $I)) (local.get $i)) (local.get $R)) (i32.const 2))))
        (local.set $dst (i32.add (local.get $y) (i32.shl (i32.mul (i32.add (i32.mul (local.get $bo) (local.get $n))
          (i32.load (i32.add (local.get $ids) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $I)) (local.get $i)) (i32.const 2))))) (local.get $R)) (i32.const 2))))
        (local.set $k (local.get $R))
        (block $vd (loop $vl
          (br_if $vd (i32.lt_u (local.get $k) (i32.const 4)))
          (v128.store (local.get $dst) (${v}.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $k (i32.sub (local.get $k) (i32.const 4)))
          (br $vl)))
        (block $sd (loop $sl
          (br_if $sd (i32.eqz (local.get $k)))
          (${t}.store (local.get $dst) (${t}.add (${t}.load (local.get $dst)) (${t}.load (local.get $src))))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $sl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
      (local.set $bo (i32.add (local.get $bo) (i32.const 1)))
      (br $blocks))))`;
}

/**
 * `argmax_<t>(x, y, n, inner, total, per, chunk)`: for outputs e = o*inner + i in the chunk,
 * y[e] = the first j in [0, n) with the largest x[(o*n + j)*inner + i] (a NaN is the largest).
 */
function argMax(t: "f32" | "i32"): string {
  const better = t === "f32" ? `(i32.or (f32.ne (local.get $v) (local.get $v)) (f32.gt (local.get $v) (local.get $best)))` : `(i32.gt_s (local.get $v) (local.get $best))`;
  const live = t === "f32" ? `(f32.eq (local.get $best) (local.get $best))` : `(i32.const 1)`;
  return `
  (func (export "argmax_${t}") (param $x i32) (param $y i32) (param $n i32) (param $inner i32) (param $total i32) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $p i32) (local $j i32) (local $bi i32) (local $step i32) (local $best ${t}) (local $v ${t})
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $total)) (then (local.set $end (local.get $total))))
    (local.set $step (i32.shl (local.get $inner) (i32.const 2)))
    (block $done (loop $outs
      (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.mul (i32.div_u (local.get $e) (local.get $inner)) (local.get $n)) (local.get $inner))
        (i32.rem_u (local.get $e) (local.get $inner))) (i32.const 2))))
      (local.set $best (${t}.load (local.get $p)))
      (local.set $bi (i32.const 0))
      (local.set $j (i32.const 1))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $v (${t}.load (local.get $p)))
        (if (i32.and ${live} ${better}) (then (local.set $best (local.get $v)) (local.set $bi (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (i32.store (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const 2))) (local.get $bi))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $outs))))`;
}

const WIDTHS = [
  { w: 1, load: "i32.load8_u", store: "i32.store8" },
  { w: 4, load: "i32.load", store: "i32.store" },
  { w: 8, load: "i64.load", store: "i64.store" },
] as const;

/**
 * `scatter_<w>(x, y, tab, outer, len, sy, n, per, chunk)`: the inverse of gather_<w>: element e
 * of x (contiguous) goes to y[off(e)], rows of `len` at stride `sy`, outer dims [dim, stride] at `tab`.
 */
function scatterFuncs(): string {
  return WIDTHS.map(
    ({ w, load, store }) => `
  (func (export "scatter_${w}") (param $x i32) (param $y i32) (param $tab i32) (param $outer i32) (param $len i32) (param $sy i32)
    (param $n i32) (param $per i32) (param $chunk i32)
    (local $e i32) (local $end i32) (local $r i32) (local $col i32) (local $k i32) (local $d i32) (local $off i32) (local $tp i32) (local $px i32) (local $py i32) (local $cnt i32)
    (local.set $e (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $end (i32.add (local.get $e) (local.get $per)))
    (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
      (local.set $col (i32.rem_u (local.get $e) (local.get $len)))
      (local.set $r (i32.div_u (local.get $e) (local.get $len)))
      (local.set $off (i32.mul (local.get $col) (local.get $sy)))
      (local.set $k (local.get $outer))
      (block $od (loop $ol
        (br_if $od (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $tp (i32.add (local.get $tab) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $d (i32.load (local.get $tp)))
        (local.set $off (i32.add (local.get $off) (i32.mul (i32.rem_u (local.get $r) (local.get $d)) (i32.load offset=4 (local.get $tp)))))
        (local.set $r (i32.div_u (local.get $r) (local.get $d)))
        (br $ol)))
      (local.set $cnt (i32.sub (local.get $len) (local.get $col)))
      (if (i32.gt_u (local.get $cnt) (i32.sub (local.get $end) (local.get $e))) (then (local.set $cnt (i32.sub (local.get $end) (local.get $e)))))
      (local.set $px (i32.add (local.get $x) (i32.mul (local.get $e) (i32.const ${w}))))
      (local.set $py (i32.add (local.get $y) (i32.mul (local.get $off) (i32.const ${w}))))
      (local.set $e (i32.add (local.get $e) (local.get $cnt)))
      (block $cd (loop $cl
        (br_if $cd (i32.eqz (local.get $cnt)))
        (${store} (local.get $py) (${load} (local.get $px)))
        (local.set $px (i32.add (local.get $px) (i32.const ${w})))
        (local.set $py (i32.add (local.get $py) (i32.mul (local.get $sy) (i32.const ${w}))))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
        (br $cl)))
      (br $rows))))`,
  ).join("\n");
}

/** Every index-op export. */
export function indexFuncs(): string {
  return [gatherRows(), segmentSum("f32"), segmentSum("i32"), argMax("f32"), argMax("i32"), scatterFuncs()].join("\n");
}
