/**
 * Generated WebAssembly text for Winograd F(2x2, 3x3) convolution transforms (NHWC, float32,
 * stride 1): the input transform V = B^T d B of each 4x4 input tile, and the output
 * transform Y = A^T M A to 2x2 output pixels, 4 channels at a time with a scalar tail.
 */

/** B^T rows applied to four values: [d0 - d2, d1 + d2, d2 - d1, d1 - d3]. */
function bt(d: string[], sub: string, add: string): string[] {
  return [`(${sub} ${d[0]} ${d[2]})`, `(${add} ${d[1]} ${d[2]})`, `(${sub} ${d[2]} ${d[1]})`, `(${sub} ${d[1]} ${d[3]})`];
}

/** One channel group of the input transform: load the 16 tile values (zeros outside), transform, store the 16 results. */
function inputGroup(v: boolean): string {
  const T = v ? "v128" : "f32";
  const sub = v ? "f32x4.sub" : "f32.sub";
  const add = v ? "f32x4.add" : "f32.add";
  const load = (p: string) => (v ? `(v128.load ${p})` : `(f32.load ${p})`);
  const zero = v ? `(v128.const i32x4 0 0 0 0)` : `(f32.const 0)`;
  const store = (p: string, x: string) => (v ? `(v128.store ${p} ${x})` : `(f32.store ${p} ${x})`);
  const pre = v ? "v" : "s";
  const loads: string[] = [];
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++)
      loads.push(`(local.set $${pre}${i * 4 + j} (if (result ${T}) (i32.and (i32.lt_u (i32.add (local.get $iy) (i32.const ${i})) (local.get $H)) (i32.lt_u (i32.add (local.get $ix) (i32.const ${j})) (local.get $W)))
            (then ${load(`(i32.add (local.get $src) (i32.mul (i32.add (i32.mul (i32.const ${i}) (local.get $W)) (i32.const ${j})) (local.get $cb)))`)}) (else ${zero})))`);
  const d = (i: number, j: number) => `(local.get $${pre}${i * 4 + j})`;
  // Rows: t = B^T d (per column j), then V = t B (per row).
  const out: string[] = [];
  const t = [0, 1, 2, 3].map((j) => bt([0, 1, 2, 3].map((i) => d(i, j)), sub, add));
  for (let r = 0; r < 4; r++) {
    const row = bt([0, 1, 2, 3].map((j) => t[j]![r]!), sub, add);
    for (let c = 0; c < 4; c++) out.push(store(`(i32.add (local.get $dst) (i32.mul (local.get $kstride) (i32.const ${r * 4 + c})))`, row[c]!));
  }
  return `${loads.join("\n          ")}
          ${out.join("\n          ")}`;
}

/** One channel group of the output transform: Y = A^T M A, stored where the 2x2 tile is inside the output. */
function outputGroup(v: boolean): string {
  const add = v ? "f32x4.add" : "f32.add";
  const sub = v ? "f32x4.sub" : "f32.sub";
  const load = (p: string) => (v ? `(v128.load ${p})` : `(f32.load ${p})`);
  const store = (p: string, x: string) => (v ? `(v128.store ${p} ${x})` : `(f32.store ${p} ${x})`);
  const pre = v ? "v" : "s";
  const loads = [...Array(16).keys()].map((k) => `(local.set $${pre}${k} ${load(`(i32.add (local.get $src) (i32.mul (local.get $kstride) (i32.const ${k})))`)})`);
  const m = (i: number, j: number) => `(local.get $${pre}${i * 4 + j})`;
  // A^T rows: [m0 + m1 + m2, m1 - m2 - m3].
  const at = (x: string[]) => [`(${add} (${add} ${x[0]} ${x[1]}) ${x[2]})`, `(${sub} (${sub} ${x[1]} ${x[2]}) ${x[3]})`];
  const t = [0, 1, 2, 3].map((j) => at([0, 1, 2, 3].map((i) => m(i, j))));
  const stores: string[] = [];
  for (let r = 0; r < 2; r++) {
    const y = at([0, 1, 2, 3].map((j) => t[j]![r]!));
    for (let c = 0; c < 2; c++) {
      const cond = `(i32.and (i32.lt_u (i32.add (local.get $oy) (i32.const ${r})) (local.get $OH)) (i32.lt_u (i32.add (local.get $ox) (i32.const ${c})) (local.get $OW)))`;
      stores.push(`(if ${cond} (then ${store(`(i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (i32.const ${r}) (local.get $OW)) (i32.const ${c})) (local.get $cb)))`, y[c]!)}))`);
    }
  }
  return `${loads.join("\n          ")}
          ${stores.join("\n          ")}`;
}

const TILE_LOCALS = `(local $t i32) (local $te i32) (local $b i32) (local $q i32) (local $ty i32) (local $tx i32) (local $c i32) (local $src i32) (local $dst i32)
    (local $kstride i32) (local $cb i32) ${[...Array(16).keys()].map((k) => `(local $v${k} v128) (local $s${k} f32)`).join(" ")}`;

/**
 * `wino_in_f32(x, u, H, W, C, PT, PL, TH, TW, T, per, chunk)`: tiles [chunk*per, min(T, ...))
 * (tile t = (b*TH + ty)*TW + tx reads input rows 2ty-PT.., columns 2tx-PL..) into u laid out
 * [16][T][C]. `wino_out_f32(m, y, OH, OW, CO, TH, TW, T, per, chunk)`: m [16][T][CO] to y.
 */
export function winogradFuncs(): string {
  const tileLoop = (body: string, chans: string) => `
    (local.set $t (i32.mul (local.get $chunk) (local.get $per)))
    (local.set $te (i32.add (local.get $t) (local.get $per)))
    (if (i32.gt_u (local.get $te) (local.get $T)) (then (local.set $te (local.get $T))))
    (local.set $kstride (i32.shl (i32.mul (local.get $T) ${chans}) (i32.const 2)))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $t) (local.get $te)))
      (local.set $tx (i32.rem_u (local.get $t) (local.get $TW)))
      (local.set $q (i32.div_u (local.get $t) (local.get $TW)))
      (local.set $ty (i32.rem_u (local.get $q) (local.get $TH)))
      (local.set $b (i32.div_u (local.get $q) (local.get $TH)))
      ${body}
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl)))`;
  const chanLoop = (chans: string, vec: string, sc: string, advance: string) => `
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.gt_u (i32.add (local.get $c) (i32.const 4)) ${chans}))
        ${vec}
        ${advance.replace(/\$N/g, "16")}
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl)))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $c) ${chans}))
        ${sc}
        ${advance.replace(/\$N/g, "4")}
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $sl)))`;
  const inBody = `
      (local.set $iy (i32.sub (i32.shl (local.get $ty) (i32.const 1)) (local.get $PT)))
      (local.set $ix (i32.sub (i32.shl (local.get $tx) (i32.const 1)) (local.get $PL)))
      (local.set $src (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix)) (local.get $C)) (i32.const 2))))
      (local.set $dst (i32.add (local.get $u) (i32.shl (i32.mul (local.get $t) (local.get $C)) (i32.const 2))))
      ${chanLoop("(local.get $C)", inputGroup(true), inputGroup(false), `(local.set $src (i32.add (local.get $src) (i32.const $N))) (local.set $dst (i32.add (local.get $dst) (i32.const $N)))`)}`;
  const outBody = `
      (local.set $oy (i32.shl (local.get $ty) (i32.const 1)))
      (local.set $ox (i32.shl (local.get $tx) (i32.const 1)))
      (local.set $src (i32.add (local.get $m) (i32.shl (i32.mul (local.get $t) (local.get $CO)) (i32.const 2))))
      (local.set $dst (i32.add (local.get $y) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $ox)) (local.get $CO)) (i32.const 2))))
      ${chanLoop("(local.get $CO)", outputGroup(true), outputGroup(false), `(local.set $src (i32.add (local.get $src) (i32.const $N))) (local.set $dst (i32.add (local.get $dst) (i32.const $N)))`)}`;
  return `
  (func (export "wino_in_f32") (param $x i32) (param $u i32) (param $H i32) (param $W i32) (param $C i32) (param $PT i32) (param $PL i32)
    (param $TH i32) (param $TW i32) (param $T i32) (param $per i32) (param $chunk i32)
    ${TILE_LOCALS} (local $iy i32) (local $ix i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    ${tileLoop(inBody, "(local.get $C)")})
  (func (export "wino_out_f32") (param $m i32) (param $y i32) (param $OH i32) (param $OW i32) (param $CO i32)
    (param $TH i32) (param $TW i32) (param $T i32) (param $per i32) (param $chunk i32)
    ${TILE_LOCALS} (local $oy i32) (local $ox i32)
    (local.set $cb (i32.shl (local.get $CO) (i32.const 2)))
    ${tileLoop(outBody, "(local.get $CO)")})`;
}
