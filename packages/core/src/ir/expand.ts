/**
 * Expansions of the IR's transcendental operations into arithmetic, comparisons, selects and
 * bit operations, for float32 on devices without them (WebAssembly has none; GPUs lack erf,
 * and their built-ins are inaccurate for some). Each function is written once here, so every
 * device backend computes, say, erf with the same approximation. float64 is never expanded:
 * these polynomials are float32-accurate only.
 */
import * as I from "./builder.js";
import { rewrite, type Expr, type IrOp } from "./expr.js";

const F = "float32" as const;
const c = (v: number): Expr => I.constant(v, F);
const horner = (x: Expr, coefs: readonly number[]): Expr => coefs.slice(1).reduce<Expr>((acc, k) => I.add(I.mul(acc, x), k), c(coefs[0]!));
const asInt = (x: Expr) => I.bitcast(x, "int32");
const asFloat = (x: Expr) => I.bitcast(x, "float32");

/** e^x (Cephes expf: reduction by ln 2 in two parts, degree-5 polynomial, 2^n built in the exponent as 2^(n-1) * 2). About 1 ulp. */
export function expF32(x: Expr): Expr {
  const xc = I.min(I.max(x, c(-87.33654)), c(88.72284));
  const n = I.round(I.mul(xc, c(1.44269504088896341)));
  const r = I.sub(I.sub(xc, I.mul(n, c(0.693359375))), I.mul(n, c(-2.1219444e-4)));
  const p0 = horner(r, [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]);
  const p = I.add(I.add(I.mul(I.mul(p0, r), r), r), c(1));
  const scale = asFloat(I.shl(I.add(I.cast(n, "int32"), 126), 23));
  return I.mul(I.mul(p, scale), c(2));
}

/** log x (Cephes logf: mantissa in [sqrt(1/2), sqrt(2)), degree-8 polynomial; subnormals scaled by 2^23; log 0 = -inf, log(x < 0) = NaN). */
export function logF32(x: Expr): Expr {
  const small = I.lt(x, c(1.17549435e-38));
  const m0 = I.select(small, I.mul(x, c(8388608)), x);
  const bits = asInt(m0);
  const e0 = I.sub(I.sub(I.cast(I.shr(bits, 23), F), c(126)), I.select(small, c(23), c(0)));
  const m1 = asFloat(I.or(I.and(bits, I.constant(0x807fffff | 0, "int32")), I.constant(0x3f000000, "int32")));
  const lt = I.lt(m1, c(0.707106781186547524));
  const e = I.sub(e0, I.select(lt, c(1), c(0)));
  const m = I.sub(I.add(m1, I.select(lt, m1, c(0))), c(1));
  const z = I.mul(m, m);
  const poly = horner(m, [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1]);
  const y = I.sub(I.add(I.mul(I.mul(poly, m), z), I.mul(e, c(-2.12194440e-4))), I.mul(z, c(0.5)));
  const r = I.add(I.add(m, y), I.mul(e, c(0.693359375)));
  const r1 = I.select(I.eq(x, c(Infinity)), c(Infinity), r);
  const r2 = I.select(I.eq(x, c(0)), c(-Infinity), r1);
  return I.select(I.ge(x, c(0)), r2, c(NaN));
}

/** log(1 + t) = log(u) * t / (u - 1) with u = 1 + t (corrects u's rounding); t where u - 1 is 0 or u is infinite. */
export function log1pF32(t: Expr): Expr {
  const u = I.add(t, c(1));
  const d = I.sub(u, c(1));
  return I.select(I.or(I.eq(d, c(0)), I.eq(u, c(Infinity))), t, I.mul(I.log(u), I.div(t, d)));
}

/** e^x - 1 = (u - 1) * x / log u with u = e^x (Kahan); x where u is 1, -1 below, infinity above. */
export function expm1F32(x: Expr): Expr {
  const u = I.exp(x);
  const d = I.sub(u, c(1));
  const k = I.mul(d, I.div(x, I.log(u)));
  return I.select(I.eq(u, c(1)), x, I.select(I.eq(d, c(-1)), c(-1), I.select(I.eq(u, c(Infinity)), c(Infinity), k)));
}

/** tanh (Cephes tanhf): an odd polynomial below |x| = 0.625, else 1 - 2 / (e^(2|x|) + 1) with x's sign. */
export function tanhF32(x: Expr): Expr {
  const a = I.abs(x);
  const s = I.mul(x, x);
  const p = I.add(I.mul(I.mul(horner(s, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]), s), x), x);
  const big = I.sub(c(1), I.div(c(2), I.add(I.exp(I.add(a, a)), c(1))));
  return I.select(I.lt(a, c(0.625)), p, I.copysign(big, x));
}

/** erf: its Maclaurin series below |x| = 0.5 (error < 1e-9), Abramowitz-Stegun 7.1.26 above (|error| < 1.5e-7), odd. */
export function erfF32(x: Expr): Expr {
  const a = I.abs(x);
  const z = I.mul(x, x);
  const series = I.mul(I.mul(x, horner(z, [1 / 9360, -1 / 1320, 1 / 216, -1 / 42, 1 / 10, -1 / 3, 1])), c(1.1283791670955126));
  const t = I.div(c(1), I.add(c(1), I.mul(a, c(0.3275911))));
  const poly = I.mul(horner(t, [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592]), t);
  const far = I.sub(c(1), I.mul(poly, I.exp(I.neg(I.mul(a, a)))));
  return I.select(I.lt(a, c(0.5)), series, I.copysign(far, x));
}

/** sin or cos: Cody-Waite reduction by pi/2 in three parts, Cephes' polynomials on [-pi/4, pi/4], the quadrant from k mod 4. */
function sinCosF32(x: Expr, cos: boolean): Expr {
  const k = I.round(I.mul(x, c(0.6366197723675814)));
  const r = I.sub(I.sub(I.sub(x, I.mul(k, c(1.5703125))), I.mul(k, c(4.837512969970703125e-4))), I.mul(k, c(7.54978995489188216e-8)));
  const z = I.mul(r, r);
  const s = I.add(I.mul(I.mul(horner(z, [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1]), z), r), r);
  const co = I.add(I.sub(I.mul(I.mul(horner(z, [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2]), z), z), I.mul(z, c(0.5))), c(1));
  const q = I.and(I.cast(k, "int32"), 3);
  const at = (n: number) => I.eq(q, n);
  const v = cos
    ? I.select(at(0), co, I.select(at(1), I.neg(s), I.select(at(2), I.neg(co), s)))
    : I.select(at(0), s, I.select(at(1), co, I.select(at(2), I.neg(s), I.neg(co))));
  return I.select(I.isFinite(x), v, c(NaN));
}

/** atan (Cephes atanf): reduction to |x| <= tan(pi/8) through pi/2 - atan(1/x) and pi/4 + atan((x-1)/(x+1)), odd polynomial. */
export function atanF32(x: Expr): Expr {
  const a = I.abs(x);
  const big = I.gt(a, c(2.414213562373095));
  const mid = I.gt(a, c(0.414213562373095));
  const xr = I.select(big, I.div(c(-1), a), I.select(mid, I.div(I.sub(a, c(1)), I.add(a, c(1))), a));
  const y0 = I.select(big, c(Math.PI / 2), I.select(mid, c(Math.PI / 4), c(0)));
  const z = I.mul(xr, xr);
  const p = I.add(I.mul(I.mul(horner(z, [8.05374449538e-2, -1.38776856032e-1, 1.99777106478e-1, -3.33329491539e-1]), z), xr), xr);
  return I.copysign(I.add(y0, p), x);
}

/** atan2(y, x) from atan(y / x) and the quadrant; NaN if either is NaN. */
export function atan2F32(y: Expr, x: Expr): Expr {
  const a = I.atan(I.div(y, x));
  const left = I.select(I.ge(y, c(0)), I.add(a, c(Math.PI)), I.sub(a, c(Math.PI)));
  const axis = I.select(I.gt(y, c(0)), c(Math.PI / 2), I.select(I.lt(y, c(0)), c(-Math.PI / 2), c(0)));
  const v = I.select(I.gt(x, c(0)), a, I.select(I.lt(x, c(0)), left, axis));
  return I.select(I.or(I.isNaN(x), I.isNaN(y)), c(NaN), v);
}

/** a^b = e^(b log|a|), negated for a < 0 and odd integral b, NaN for a < 0 and fractional b, 1 for b = 0. */
export function powF32(a: Expr, b: Expr): Expr {
  const m = I.exp(I.mul(b, I.log(I.abs(a))));
  const integral = I.eq(I.floor(b), b);
  const odd = I.and(integral, I.ne(I.rem(b, c(2)), c(0)));
  const neg = I.select(integral, I.select(odd, I.neg(m), m), c(NaN));
  return I.select(I.eq(b, c(0)), c(1), I.select(I.lt(a, c(0)), neg, m));
}

/** a % b = a - b trunc(a / b) (exact while the quotient is small). */
export const remF32 = (a: Expr, b: Expr): Expr => I.sub(a, I.mul(b, I.trunc(I.div(a, b))));

const EXPANSIONS: Partial<Record<IrOp, (...a: Expr[]) => Expr>> = {
  exp: expF32,
  log: logF32,
  log1p: log1pF32,
  expm1: expm1F32,
  tanh: tanhF32,
  erf: erfF32,
  sin: (x) => sinCosF32(x, false),
  cos: (x) => sinCosF32(x, true),
  atan: atanF32,
  atan2: atan2F32,
  pow: powF32,
  rem: remF32,
};

/** The operations `expandFloat32` can rewrite. */
export const EXPANDABLE: readonly IrOp[] = Object.keys(EXPANSIONS) as IrOp[];

/**
 * Rewrite every float32 node whose operation the device lacks (`native(op)` false) into its
 * expansion, repeatedly (an expansion may use other expandable operations, e.g. erf uses exp).
 */
export function expandFloat32(root: Expr, native: (op: IrOp) => boolean): Expr {
  let cur = root;
  for (let round = 0; round < 6; round++) {
    let changed = false;
    cur = rewrite(cur, (e) => {
      const f = EXPANSIONS[e.op];
      if (f === undefined || e.dtype !== F || native(e.op)) return e;
      changed = true;
      return f(...e.args);
    });
    if (!changed) return cur;
  }
  return cur;
}
