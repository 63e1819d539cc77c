/**
 * The scalar expression of every elementwise op, in gpu.js's JavaScript subset (compiled to
 * GLSL): inputs are `x0`, `x1`, `x2` (floats), statements may come before the result. Written
 * for float32 accuracy (stable sigmoid/tanh/softplus, series near 0 for expm1/log1p, an erf
 * accurate to 1.5e-7); NaN and infinite inputs follow GLSL, see the README.
 */
import type { OpName } from "@eager/core/backend";
import { lit } from "../codegen.js";

/** An op's code: optional statements, then the result expression. */
export interface ScalarCode {
  readonly pre?: string;
  readonly expr: string;
}

/** Numbers an expression needs at run time (attrs), registered as uniforms by the template. */
export type Uniform = (value: number) => string;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const FLT_MAX = lit(3.4028234663852886e38);

/** erf(v) into `out` (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
function erfCode(v: string, out: string): string {
  return [
    `const ${out}a = Math.abs(${v});`,
    `const ${out}t = 1.0 / (1.0 + 0.3275911 * ${out}a);`,
    `const ${out}p = ((((1.061405429 * ${out}t - 1.453152027) * ${out}t + 1.421413741) * ${out}t - 0.284496736) * ${out}t + 0.254829592) * ${out}t;`,
    `const ${out}y = 1.0 - ${out}p * Math.exp(-${out}a * ${out}a);`,
    `const ${out} = ${v} < 0.0 ? -${out}y : ${out}y;`,
  ].join("\n");
}

/** expm1(v) into `out`: a short series near 0, exp(v) - 1 elsewhere. */
function expm1Code(v: string, out: string): string {
  return `const ${out} = Math.abs(${v}) < 0.001 ? ${v} + ${v} * ${v} * 0.5 + ${v} * ${v} * ${v} * 0.16666666666 : Math.exp(${v}) - 1.0;`;
}

/** log1p(v) into `out`: a short series near 0, log(1 + v) elsewhere. */
function log1pCode(v: string, out: string): string {
  return `const ${out} = Math.abs(${v}) < 0.0001 ? ${v} - ${v} * ${v} * 0.5 + ${v} * ${v} * ${v} * 0.33333333333 : Math.log(1.0 + ${v});`;
}

const simple = (expr: string): ScalarCode => ({ expr });

/** Unary ops (and the unary-family ops with attrs). `u` registers an attr uniform. */
export const unaryCode = {
  neg: () => simple("-x0"),
  abs: () => simple("Math.abs(x0)"),
  sign: () => simple("x0 > 0.0 ? 1.0 : (x0 < 0.0 ? -1.0 : 0.0)"),
  exp: () => simple("Math.exp(x0)"),
  expm1: () => ({ pre: expm1Code("x0", "e"), expr: "e" }),
  // log(0) is -Infinity: -1 / x0 at x0 = 0 (GLSL's log(0) is only a large negative number)
  log: () => simple("x0 == 0.0 ? -1.0 / x0 : Math.log(x0)"),
  log1p: () => ({ pre: log1pCode("x0", "l"), expr: "l" }),
  sqrt: () => simple("Math.sqrt(x0)"),
  rsqrt: () => simple("1.0 / Math.sqrt(x0)"),
  square: () => simple("x0 * x0"),
  reciprocal: () => simple("1.0 / x0"),
  sin: () => simple("Math.sin(x0)"),
  cos: () => simple("Math.cos(x0)"),
  tan: () => simple("Math.sin(x0) / Math.cos(x0)"),
  asin: () => simple("Math.asin(x0)"),
  acos: () => simple("Math.acos(x0)"),
  atan: () => simple("Math.atan(x0)"),
  sinh: () => ({ pre: `${expm1Code("x0", "a")}\n${expm1Code("-x0", "b")}`, expr: "(a - b) * 0.5" }),
  cosh: () => simple("(Math.exp(x0) + Math.exp(-x0)) * 0.5"),
  tanh: () => ({ pre: "const t = Math.exp(-2.0 * Math.abs(x0));\nconst y = (1.0 - t) / (1.0 + t);", expr: "x0 < 0.0 ? -y : y" }),
  sigmoid: () => ({ pre: "const e = Math.exp(-Math.abs(x0));", expr: "x0 >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)" }),
  softplus: () => ({ pre: `const e = Math.exp(-Math.abs(x0));\n${log1pCode("e", "l")}`, expr: "Math.max(x0, 0.0) + l" }),
  relu: () => simple("x0 > 0.0 ? x0 : 0.0"),
  relu6: () => simple("Math.min(Math.max(x0, 0.0), 6.0)"),
  elu: () => ({ pre: expm1Code("x0", "e"), expr: "x0 > 0.0 ? x0 : e" }),
  selu: () => ({ pre: expm1Code("x0", "e"), expr: `${lit(SELU_SCALE)} * (x0 > 0.0 ? x0 : ${lit(SELU_ALPHA)} * e)` }),
  gelu: () => ({ pre: erfCode(`x0 * ${lit(Math.SQRT1_2)}`, "e"), expr: "0.5 * x0 * (1.0 + e)" }),
  erf: () => ({ pre: erfCode("x0", "e"), expr: "e" }),
  floor: () => simple("Math.floor(x0)"),
  ceil: () => simple("Math.ceil(x0)"),
  // round half to even: f + 1 above the half, f below it, the even one of f and f + 1 at it
  round: () => ({
    pre: "const f = Math.floor(x0);\nconst d = x0 - f;\nconst odd = f - 2.0 * Math.floor((f + 0.5) / 2.0);",
    expr: "d > 0.5 ? f + 1.0 : (d < 0.5 ? f : (odd > 0.5 ? f + 1.0 : f))",
  }),
  isNaN: () => simple("(x0 == x0) ? 0.0 : 1.0"),
  isFinite: () => simple(`(x0 == x0 && Math.abs(x0) <= ${FLT_MAX}) ? 1.0 : 0.0`),
  logicalNot: () => simple("x0 != 0.0 ? 0.0 : 1.0"),
  onesLike: () => simple("1.0 + x0 * 0.0"),
  zerosLike: () => simple("x0 * 0.0"),
  stopGradient: () => simple("x0"),
  clipByValue: (u, a) => simple(`Math.min(Math.max(x0, ${u(a["min"]!)}), ${u(a["max"]!)})`),
  leakyRelu: (u, a) => simple(`x0 > 0.0 ? x0 : ${u(a["alpha"]!)} * x0`),
} satisfies { readonly [K in OpName]?: (u: Uniform, attrs: Record<string, number>) => ScalarCode };

/**
 * a^b as Math.pow defines it: GLSL's pow is undefined for a < 0 and for 0^0, so the sign is
 * restored for integral b and 0^0 is 1.
 */
const POW: ScalarCode = {
  pre: [
    "const pm = Math.pow(Math.abs(x0), x1);",
    "const pb = Math.floor(x1);",
    "const podd = pb - 2.0 * Math.floor((pb + 0.5) / 2.0);",
    "let pv = pm;",
    "if (x0 < 0.0) { pv = pb == x1 ? (podd > 0.5 ? -pm : pm) : (pm - pm) / (pm - pm); }",
    "if (x1 == 0.0) { pv = 1.0; }",
  ].join("\n"),
  expr: "pv",
};

/** floor(a / b) made exact for integers: the float quotient is corrected by one either way. */
const INT_FLOOR_DIV = [
  "let q = Math.floor(x0 / x1);",
  "const r = x0 - q * x1;",
  "if (x1 > 0.0 && r < 0.0) { q = q - 1.0; }",
  "if (x1 > 0.0 && r >= x1) { q = q + 1.0; }",
  "if (x1 < 0.0 && r > 0.0) { q = q - 1.0; }",
  "if (x1 < 0.0 && r <= x1) { q = q + 1.0; }",
].join("\n");

/** Binary ops; `int` is true when the (promoted) inputs are int32, which asks for exact division. */
export const binaryCode = {
  add: () => simple("x0 + x1"),
  sub: () => simple("x0 - x1"),
  mul: () => simple("x0 * x1"),
  div: () => simple("x0 / x1"),
  floorDiv: (int) => (int ? { pre: INT_FLOOR_DIV, expr: "q" } : simple("Math.floor(x0 / x1)")),
  mod: (int) => (int ? { pre: INT_FLOOR_DIV, expr: "x0 - q * x1" } : { pre: "const m = x0 - x1 * Math.floor(x0 / x1);", expr: "m" }),
  pow: () => POW,
  atan2: () => simple("Math.atan2(x0, x1)"),
  minimum: () => simple("Math.min(x0, x1)"),
  maximum: () => simple("Math.max(x0, x1)"),
  equal: () => simple("x0 == x1 ? 1.0 : 0.0"),
  notEqual: () => simple("x0 != x1 ? 1.0 : 0.0"),
  less: () => simple("x0 < x1 ? 1.0 : 0.0"),
  lessEqual: () => simple("x0 <= x1 ? 1.0 : 0.0"),
  greater: () => simple("x0 > x1 ? 1.0 : 0.0"),
  greaterEqual: () => simple("x0 >= x1 ? 1.0 : 0.0"),
  logicalAnd: () => simple("(x0 != 0.0 && x1 != 0.0) ? 1.0 : 0.0"),
  logicalOr: () => simple("(x0 != 0.0 || x1 != 0.0) ? 1.0 : 0.0"),
  logicalXor: () => simple("((x0 != 0.0) != (x1 != 0.0)) ? 1.0 : 0.0"),
} satisfies { readonly [K in OpName]?: (int: boolean) => ScalarCode };

/** Ternary ops. */
export const ternaryCode = {
  where: () => simple("x0 != 0.0 ? x1 : x2"),
} satisfies { readonly [K in OpName]?: () => ScalarCode };

/** cast to `dtype` (from float storage): int32 truncates (non-finite gives 0), bool is x != 0. */
export function castCode(dtype: string): ScalarCode {
  if (dtype === "bool") return simple("(x0 != 0.0 && x0 == x0) ? 1.0 : 0.0");
  if (dtype === "int32") return { pre: `const c = x0 < 0.0 ? Math.ceil(x0) : Math.floor(x0);`, expr: `(x0 == x0 && Math.abs(x0) <= ${FLT_MAX}) ? c : 0.0` };
  return simple("x0");
}
