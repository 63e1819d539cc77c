/**
 * The scalar expression IR: builder dtype checks, the JavaScript lowering's semantics (int32
 * wrapping, NaN, casts), the printer, and the float32 expansions evaluated with float32
 * rounding at every node (as a device computes them) against Math in float64.
 */
import { describe, expect, it } from "vitest";
import { ir, opTable } from "../src/backend.js";

const x = ir.input(0, "float32");

/** Evaluate an expansion of `op` applied to input 0 (and 1) exactly as a float32 device would. */
function expanded(build: (a: ir.Expr, b: ir.Expr) => ir.Expr, arity = 1): (...v: number[]) => number {
  const e = ir.expandFloat32(build(ir.input(0, "float32"), ir.input(1, "float32")), () => false);
  const f = ir.compileJs(e, 2, { float32: true });
  return (a, b = 0) => f(Math.fround(a), Math.fround(b), {});
}

function maxRelError(f: (v: number) => number, g: (v: number) => number, lo: number, hi: number, n = 4001, floor = 1e-30): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(lo + ((hi - lo) * i) / (n - 1));
    const want = g(v);
    const err = Math.abs(f(v) - want) / Math.max(Math.abs(want), floor);
    worst = Math.max(worst, err);
  }
  return worst;
}

describe("ir builder", () => {
  it("checks dtypes and names the operation", () => {
    expect(() => ir.exp(ir.input(0, "int32"))).toThrow(/ir.exp: needs a float operand, got int32/);
    expect(() => ir.add(x, ir.input(1, "int32"))).toThrow(/ir.add: operands are float32 and int32/);
    expect(() => ir.select(x, x, x)).toThrow(/condition must be bool/);
    expect(ir.lt(x, 1).dtype).toBe("bool");
    expect(ir.floor(ir.input(0, "int32")).op).toBe("input");
  });
  it("prints shared nodes once", () => {
    const s = ir.mul(ir.add(x, 1), ir.add(x, 1));
    expect(ir.printExpr(s)).toBe("%0:float32 = mul (add x0:float32 1:float32) (add x0:float32 1:float32)");
    const t = ir.add(x, 1);
    expect(ir.printExpr(ir.mul(t, t))).toBe("%0:float32 = add x0:float32 1:float32\n%1:float32 = mul %0 %0");
  });
});

describe("ir JavaScript lowering", () => {
  it("wraps int32 arithmetic, divides by zero as 0 and casts like int32 storage", () => {
    const a = ir.input(0, "int32");
    const b = ir.input(1, "int32");
    expect(ir.compileJs(ir.add(a, b), 2)(2147483647, 1, {})).toBe(-2147483648);
    expect(ir.compileJs(ir.mul(a, b), 2)(65536, 65536, {})).toBe(0);
    expect(ir.compileJs(ir.div(a, b), 2)(7, 0, {})).toBe(0);
    expect(ir.compileJs(ir.floorDiv(a, b), 2)(-7, 2, {})).toBe(-4);
    expect(ir.compileJs(ir.floorMod(a, b), 2)(-7, 2, {})).toBe(1);
    expect(ir.compileJs(ir.cast(x, "int32"), 1)(-2.7, {})).toBe(-2);
    expect(ir.compileJs(ir.cast(x, "bool"), 1)(NaN, {})).toBe(0);
  });
  it("reads attrs at run time and keeps NaN through min and max", () => {
    const f = ir.compileJs(ir.min(ir.max(x, ir.cast(ir.attr("lo"), "float32")), ir.cast(ir.attr("hi"), "float32")), 1);
    expect(f(5, { lo: -1, hi: 2 })).toBe(2);
    expect(f(NaN, { lo: -1, hi: 2 })).toBeNaN();
  });
  it("is what the reference kernels run (an op record's expr)", () => {
    const relu = ir.instantiate(opTable.relu.expr!, ["float32"]);
    expect(ir.printExpr(relu)).toBe("%0:float32 = max x0:float32 0:float32");
    const clip = ir.instantiate(opTable.clipByValue.expr!, ["int32"]);
    expect(ir.attrNames(clip)).toEqual(["min", "max"]);
  });
});

describe("ir float32 expansions (float32 rounding at every node)", () => {
  const cases: [string, (a: ir.Expr, b: ir.Expr) => ir.Expr, (v: number) => number, number, number, number][] = [
    ["exp", ir.exp, Math.exp, -87, 88.7, 3e-7],
    ["log", ir.log, Math.log, 1e-6, 1e6, 3e-7],
    ["log1p", ir.log1p, Math.log1p, -0.999, 100, 4e-7],
    ["expm1", ir.expm1, Math.expm1, -20, 20, 1e-6],
    ["tanh", ir.tanh, Math.tanh, -12, 12, 4e-7],
    ["sin", ir.sin, Math.sin, -3, 3, 2e-6],
    ["cos", ir.cos, Math.cos, -3, 3, 2e-6],
    ["atan", ir.atan, Math.atan, -50, 50, 4e-7],
  ];
  for (const [name, build, ref, lo, hi, tol] of cases)
    it(`${name} within ${tol} relative on [${lo}, ${hi}]`, () => {
      expect(maxRelError(expanded(build), ref, lo, hi, 4001, name === "sin" || name === "cos" ? 1e-3 : 1e-30)).toBeLessThan(tol);
    });
  it("erf within 3e-7 absolute, odd, exact at 0", () => {
    const f = expanded(ir.erf);
    const S = (opTable.erf.scalar as (v: number) => number)!;
    let worst = 0;
    for (let v = -6; v <= 6; v += 0.001) worst = Math.max(worst, Math.abs(f(v) - S(Math.fround(v))));
    expect(worst).toBeLessThan(3e-7);
    expect(f(-0.3)).toBe(-f(0.3));
    expect(f(0)).toBe(0);
  });
  it("edge values: infinities, zeros, NaN, subnormals", () => {
    const exp = expanded(ir.exp);
    expect([exp(Infinity), exp(-Infinity), exp(100), exp(-1000)]).toEqual([Infinity, 0, Infinity, 0]);
    expect(exp(NaN)).toBeNaN();
    const log = expanded(ir.log);
    expect([log(0), log(-0), log(Infinity)]).toEqual([-Infinity, -Infinity, Infinity]);
    expect(log(-1)).toBeNaN();
    expect(Math.abs(log(1e-40) - Math.log(Math.fround(1e-40)))).toBeLessThan(1e-5);
    const tanh = expanded(ir.tanh);
    expect([tanh(Infinity), tanh(-Infinity), tanh(50), tanh(-50)]).toEqual([1, -1, 1, -1]);
    const atan2 = expanded(ir.atan2, 2);
    for (const [a, b] of [[1, 1], [1, -1], [-1, -1], [-1, 1], [0, -1], [2, 0], [-2, 0], [0.5, 3]]) expect(atan2(a!, b!)).toBeCloseTo(Math.atan2(a!, b!), 6);
    const pow = expanded(ir.pow, 2);
    for (const [a, b] of [[2, 3], [-2, 3], [-2, 2], [0.5, -2], [0, 2], [3, 0], [NaN, 0]]) expect(pow(a!, b!)).toBeCloseTo(Math.pow(a!, b!), 5);
    expect(pow(-2, 0.5)).toBeNaN();
    expect(pow(0, -1)).toBe(Infinity);
  });
});
