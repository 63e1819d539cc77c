/**
 * The scalar WGSL expression of every elementwise op, one line each: `x` (unary) or `a`, `b`
 * (binary) hold the input in its storage type (f32, i32, or u32 for bool); `f` is the float
 * form, `i` the int32 form, `u` the bool form. Bool results are u32 0/1. Adding an
 * elementwise op is one line here; the family kernels in elementwise.ts do the rest.
 */

/** Expressions by input storage kind; a missing kind means the op never sees that dtype. */
export interface ScalarExpr {
  readonly f?: string;
  readonly i?: string;
  readonly u?: string;
}

const B = (cond: string) => `select(0u, 1u, ${cond})`;

/** Unary ops (attrs, where any, are read from params starting at p[1]). */
export const UNARY = {
  neg: { f: "-x", i: "-x" },
  abs: { f: "abs(x)", i: "abs(x)" },
  sign: { f: "select(sign(x), x, is_nan(x))", i: "sign(x)" },
  exp: { f: "exp(x)" },
  expm1: { f: "expm1_f(x)" },
  log: { f: "log_f(x)" },
  log1p: { f: "log1p_f(x)" },
  sqrt: { f: "sqrt(x)" },
  rsqrt: { f: "1.0 / sqrt(x)" },
  square: { f: "x * x", i: "x * x" },
  reciprocal: { f: "1.0 / x" },
  sin: { f: "sin_f(x)" },
  cos: { f: "cos_f(x)" },
  tan: { f: "sin_f(x) / cos_f(x)" },
  asin: { f: "asin(x)" },
  acos: { f: "atan2(sqrt((1.0 - x) * (1.0 + x)), x)" },
  atan: { f: "atan(x)" },
  sinh: { f: "sinh_f(x)" },
  cosh: { f: "(exp(x) + exp(-x)) * 0.5" },
  tanh: { f: "tanh_f(x)" },
  sigmoid: { f: "sigmoid_f(x)" },
  softplus: { f: "max(x, 0.0) + log1p_f(exp(-abs(x)))" },
  relu: { f: "select(max(x, 0.0), x, is_nan(x))", i: "max(x, 0)" },
  relu6: { f: "select(clamp(x, 0.0, 6.0), x, is_nan(x))", i: "clamp(x, 0, 6)" },
  elu: { f: "select(expm1_f(x), x, x > 0.0)" },
  selu: { f: "1.0507009873554805 * select(1.6732632423543772 * expm1_f(x), x, x > 0.0)" },
  gelu: { f: "0.5 * x * (1.0 + erf_f(x * 0.7071067811865476))" },
  erf: { f: "erf_f(x)" },
  floor: { f: "floor(x)", i: "x" },
  ceil: { f: "ceil(x)", i: "x" },
  round: { f: "round(x)", i: "x" },
  isNaN: { f: B("is_nan(x)"), i: "0u", u: "0u" },
  isFinite: { f: B("is_finite(x)"), i: "1u", u: "1u" },
  logicalNot: { u: B("x == 0u") },
  onesLike: { f: "1.0", i: "1", u: "1u" },
  zerosLike: { f: "0.0", i: "0", u: "0u" },
  stopGradient: { f: "x", i: "x", u: "x" },
  clipByValue: { f: "select(min(max(x, pf(1u)), pf(2u)), x, is_nan(x))", i: "i32(min(max(f32(x), pf(1u)), pf(2u)))" },
  leakyRelu: { f: "select(pf(1u) * x, x, x > 0.0)" },
} satisfies Record<string, ScalarExpr>;

/** Binary ops (inputs already promoted to one dtype). */
export const BINARY = {
  add: { f: "a + b", i: "a + b" },
  sub: { f: "a - b", i: "a - b" },
  mul: { f: "a * b", i: "a * b" },
  div: { f: "a / b" },
  floorDiv: { f: "floor(a / b)", i: "floordiv_i(a, b)" },
  mod: { f: "floormod_f(a, b)", i: "floormod_i(a, b)" },
  pow: { f: "pow_f(a, b)", i: "pow_i(a, b)" },
  atan2: { f: "atan2(a, b)" },
  minimum: { f: "select(min(a, b), fnan(), is_nan(a) || is_nan(b))", i: "min(a, b)" },
  maximum: { f: "select(max(a, b), fnan(), is_nan(a) || is_nan(b))", i: "max(a, b)" },
  equal: { f: B("a == b"), i: B("a == b"), u: B("a == b") },
  notEqual: { f: B("!(a == b)"), i: B("a != b"), u: B("a != b") },
  less: { f: B("a < b"), i: B("a < b"), u: B("a < b") },
  lessEqual: { f: B("a <= b"), i: B("a <= b"), u: B("a <= b") },
  greater: { f: B("a > b"), i: B("a > b"), u: B("a > b") },
  greaterEqual: { f: B("a >= b"), i: B("a >= b"), u: B("a >= b") },
  logicalAnd: { u: B("a != 0u && b != 0u") },
  logicalOr: { u: B("a != 0u || b != 0u") },
  logicalXor: { u: B("(a != 0u) != (b != 0u)") },
} satisfies Record<string, ScalarExpr>;

/** Scalar functions the expressions call (float accuracy about 1e-7 absolute in the test domains). */
export const SCALAR_FUNCTIONS = /* wgsl */ `
fn expm1_f(x: f32) -> f32 { if (abs(x) < 1e-3) { return x + 0.5 * x * x + x * x * x / 6.0; } return exp(x) - 1.0; }
fn log_f(x: f32) -> f32 {
  if (x == 0.0) { return ninf(); }
  if (x < 0.0) { return fnan(); }
  if (is_inf(x) || is_nan(x)) { return x; }
  return log(x);
}
fn log1p_f(x: f32) -> f32 { let u = 1.0 + x; if (u == 1.0 || !is_finite(u)) { return log_f(u) + x - x; } return log(u) * x / (u - 1.0); }
// sin and cos: Cody-Waite reduction by pi/2 in three parts, then Cephes' polynomials on
// [-pi/4, pi/4] (the built-ins are only accurate to about 2^-11 on some drivers).
fn sincos_r(x: f32) -> vec3f {
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  return vec3f(s, c, f32(i32(k) & 3));
}
fn sin_f(x: f32) -> f32 {
  if (!is_finite(x)) { return fnan(); }
  let v = sincos_r(x);
  let q = u32(v.z);
  if (q == 0u) { return v.x; } if (q == 1u) { return v.y; } if (q == 2u) { return -v.x; } return -v.y;
}
fn cos_f(x: f32) -> f32 {
  if (!is_finite(x)) { return fnan(); }
  let v = sincos_r(x);
  let q = u32(v.z);
  if (q == 0u) { return v.y; } if (q == 1u) { return -v.x; } if (q == 2u) { return -v.y; } return v.x;
}
fn sinh_f(x: f32) -> f32 { if (abs(x) < 1e-2) { return x + x * x * x / 6.0; } return (exp(x) - exp(-x)) * 0.5; }
fn tanh_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (abs(x) < 1e-2) { return x - x * x * x / 3.0; }
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoid_f(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn erf_f(x: f32) -> f32 {
  // erf by its Maclaurin series near 0, and 1 - erfc beyond with erfc from Numerical Recipes' fit.
  let ax = abs(x);
  if (ax < 2.0) {
    let x2 = x * x;
    var term = x;
    var sum = x;
    for (var n = 1; n < 40; n++) {
      term = term * -x2 / f32(n);
      let add = term / f32(2 * n + 1);
      sum = sum + add;
      if (abs(add) < 1e-9 * abs(sum)) { break; }
    }
    return 1.1283791670955126 * sum;
  }
  if (is_nan(x)) { return x; }
  // erfc(t) = exp(-t^2) * r(t) (Numerical Recipes erfcc, relative error < 1.2e-7)
  let t = 1.0 / (1.0 + 0.5 * ax);
  let r = t * exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return sign(x) * (1.0 - r);
}
fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn floormod_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { return r + b; }
  return r;
}
fn floormod_f(a: f32, b: f32) -> f32 {
  let r = a - b * trunc(a / b);
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; }
  return r;
}
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return fnan(); }
  if (a == 0.0) { if (b > 0.0) { return 0.0; } return pinf(); }
  let m = exp2(b * log2(abs(a)));
  if (a > 0.0) { return m; }
  if (floor(b) != b) { return fnan(); }
  if (floormod_f(b, 2.0) == 1.0) { return -m; }
  return m;
}
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { if ((b & 1) == 0) { return 1; } return -1; }
    return 0;
  }
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
`;
