/**
 * Gradient checks generated from the op table: for every op with a gradient, each declared
 * case in float64, the tape's first and second derivatives against central differences.
 * Integer and bool inputs are held fixed. An op that is neither checked nor declares why
 * (vjp "none" or `noGradCheck`) fails the coverage test.
 */
import { describe, expect, it } from "vitest";
import { add, gradientsFunction, memory, mul, sum, tensor, tidy, type Tensor } from "@eager/core";
import { opTable, runOp, type DType, type OpDef, type OpName, type TypedArray } from "@eager/core/backend";
import { inferOutputs, inputValues, oracleAttrs, seededRandom, uniformValues } from "@eager/conformance";

const EPS = 1e-6;
/** |tape - numeric| <= ATOL + RTOL |numeric|, first order. */
const TOL1 = { atol: 1e-6, rtol: 1e-5 };
/** Second order differences a gradient, so it carries one more level of rounding. */
const TOL2 = { atol: 1e-5, rtol: 1e-4 };

/** Coordinates differenced per second-order check (each costs two backward passes). */
const SECOND_ORDER_POINTS = 40;

const isFloat = (d: DType) => d === "float32" || d === "float64";
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface GradCase {
  readonly def: OpDef<unknown>;
  readonly index: number;
  readonly shapes: readonly (readonly number[])[];
  readonly dtypes: readonly DType[];
  readonly attrs: unknown;
  /** Positions of the inputs that are differentiated. */
  readonly floatInputs: readonly number[];
  /** Positions of the float outputs that enter f. */
  readonly floatOutputs: readonly number[];
  readonly outputShapes: readonly (readonly number[])[];
}

type Plan = { case: GradCase } | { skip: string } | { invalid: string };

/** The float64 version of declared case `index`, or why it cannot be checked. */
function planCase(def: OpDef<unknown>, index: number): Plan {
  const c = def.test.cases[index]!;
  const intInputs = def.test.intInputs ?? {};
  const declared = c.shapes.map((_, i) => c.dtypes?.[i] ?? (i in intInputs ? "int32" : "float32"));
  const dtypes = declared.map((d) => (isFloat(d) ? "float64" : d));
  let attrs = oracleAttrs(c.attrs);
  let outputs = inferOutputs(def, c.shapes, dtypes, attrs);
  if (!outputs && attrs !== c.attrs) {
    attrs = c.attrs;
    outputs = inferOutputs(def, c.shapes, dtypes, attrs);
  }
  if (!outputs) return { invalid: `${def.name} case ${index} is rejected by infer in float64 (${dtypes.join(", ")})` };
  const floatInputs = dtypes.flatMap((d, i) => (isFloat(d) ? [i] : []));
  const floatOutputs = outputs.flatMap((o, i) => (isFloat(o.dtype) ? [i] : []));
  if (def.arity !== 0 && floatInputs.length === 0) return { skip: "no float inputs" };
  if (floatOutputs.length === 0) return { skip: "no float outputs" };
  return { case: { def, index, shapes: c.shapes, dtypes, attrs, floatInputs, floatOutputs, outputShapes: outputs.map((o) => o.shape) } };
}

/** f(x) = sum_k sum(op(x)[k] * r_k) over float outputs, with fixed random r and fixed non-float inputs. */
function objective(g: GradCase, seed: string): { f: (...xs: Tensor[]) => Tensor; x0: Float64Array[]; v: Float64Array[]; dispose: () => void } {
  const rng = seededRandom(seed);
  const values: TypedArray[] = g.shapes.map((s, i) => inputValues(g.def, i, sizeOf(s), g.dtypes[i]!, rng));
  const fixed = new Map<number, Tensor>();
  g.shapes.forEach((s, i) => {
    if (!g.floatInputs.includes(i)) fixed.set(i, tensor(values[i]!, [...s], g.dtypes[i]));
  });
  const r = g.floatOutputs.map((k) => tensor(uniformValues(sizeOf(g.outputShapes[k]!), rng), [...g.outputShapes[k]!], "float64"));
  const v = g.floatInputs.map((i) => uniformValues(sizeOf(g.shapes[i]!), rng));
  const f = (...xs: Tensor[]): Tensor => {
    const inputs = g.shapes.map((_, i) => fixed.get(i) ?? xs[g.floatInputs.indexOf(i)]!);
    const outs = runOp(g.def.name as OpName, inputs, g.attrs as never);
    let total: Tensor | null = null;
    g.floatOutputs.forEach((k, j) => {
      const term = sum(mul(outs[k]!, r[j]!));
      total = total ? add(total, term) : term;
    });
    return total!;
  };
  const dispose = () => {
    for (const t of [...fixed.values(), ...r]) t.dispose();
  };
  return { f, x0: g.floatInputs.map((i) => Float64Array.from(values[i]!)), v, dispose };
}

const toTensors = (g: GradCase, xs: readonly Float64Array[]) => xs.map((x, j) => tensor(x, [...g.shapes[g.floatInputs[j]!]!], "float64"));

/**
 * Central differences of the scalar `fn` at `xs`, one array per input. With `maxPoints`, only
 * that many evenly spread coordinates are differenced (the rest are NaN and not compared).
 */
function numericGradient(g: GradCase, fn: (...xs: Tensor[]) => Tensor, xs: readonly Float64Array[], maxPoints = Infinity): Float64Array[] {
  const total = xs.reduce((a, x) => a + x.length, 0);
  const stride = Math.max(1, Math.ceil(total / maxPoints));
  let flat = 0;
  const at = (point: readonly Float64Array[]): number =>
    tidy(() => {
      const v = fn(...toTensors(g, point)).dataSync()[0]!;
      return v;
    });
  return xs.map((x, j) => {
    const out = new Float64Array(x.length).fill(NaN);
    for (let e = 0; e < x.length; e++) {
      if (flat++ % stride !== 0) continue;
      const plus = xs.map((y) => y.slice());
      const minus = xs.map((y) => y.slice());
      plus[j]![e]! += EPS;
      minus[j]![e]! -= EPS;
      out[e] = (at(plus) - at(minus)) / (2 * EPS);
    }
    return out;
  });
}

function expectClose(label: string, tape: readonly Tensor[], numeric: readonly Float64Array[], g: GradCase, tol: { atol: number; rtol: number }): void {
  expect(tape.length).toBe(numeric.length);
  tape.forEach((t, j) => {
    const i = g.floatInputs[j]!;
    expect(t.shape, `${label}: gradient ${j} shape`).toEqual([...g.shapes[i]!]);
    const a = t.dataSync();
    const n = numeric[j]!;
    const bad: string[] = [];
    for (let e = 0; e < n.length; e++) if (!Number.isNaN(n[e]!) && !(Math.abs(a[e]! - n[e]!) <= tol.atol + tol.rtol * Math.abs(n[e]!))) bad.push(`[${e}] tape ${a[e]}, numeric ${n[e]}`);
    expect(bad, `${label}: input ${i} (${bad.length} of ${n.length} differ)`).toEqual([]);
  });
}

function withLeakCheck(fn: () => void): void {
  const before = memory();
  fn();
  const after = memory();
  expect({ tensors: after.numTensors - before.numTensors, bytes: after.numBytes - before.numBytes }).toEqual({ tensors: 0, bytes: 0 });
}

function firstOrder(g: GradCase): void {
  withLeakCheck(() => {
    const { f, x0, dispose } = objective(g, `grad ${g.def.name} ${g.index}`);
    try {
      if (g.floatInputs.length === 0) {
        // No inputs (e.g. fill): the gradient list is empty and computing it must work.
        expect(tidy(() => gradientsFunction(f)().length)).toBe(0);
        return;
      }
      tidy(() => {
        const tapeGrads = gradientsFunction(f)(...toTensors(g, x0));
        expectClose(`${g.def.name} case ${g.index} first order`, tapeGrads, numericGradient(g, f, x0), g, TOL1);
      });
    } finally {
      dispose();
    }
  });
}

function secondOrder(g: GradCase): void {
  withLeakCheck(() => {
    const { f, x0, v, dispose } = objective(g, `grad ${g.def.name} ${g.index}`);
    const vs = v.map((vals, j) => tensor(vals, [...g.shapes[g.floatInputs[j]!]!], "float64"));
    try {
      // h(x) = sum_j sum(grad_f(x)_j * v_j)
      const h = (...xs: Tensor[]): Tensor => {
        const grads = gradientsFunction(f)(...xs);
        return grads.map((gr, j) => sum(mul(gr, vs[j]!))).reduce((a, b) => add(a, b));
      };
      tidy(() => {
        const tapeGrads = gradientsFunction(h)(...toTensors(g, x0));
        expectClose(`${g.def.name} case ${g.index} second order`, tapeGrads, numericGradient(g, h, x0, SECOND_ORDER_POINTS), g, TOL2);
      });
    } finally {
      for (const t of vs) t.dispose();
      dispose();
    }
  });
}

const defs = Object.values(opTable) as unknown as OpDef<unknown>[];
/** Ops with at least one case checked here. */
const checked = new Set<string>();

describe("gradient checks (float64, central differences)", () => {
  for (const def of defs) {
    if (def.vjp === "none" || def.test.noGradCheck) continue;
    describe(def.name, () => {
      def.test.cases.forEach((_, index) => {
        const plan = planCase(def, index);
        if ("invalid" in plan) {
          it(`${def.name} case ${index}`, () => {
            throw new Error(plan.invalid);
          });
          return;
        }
        if ("skip" in plan) {
          it.skip(`${def.name} case ${index}: ${plan.skip}`, () => undefined);
          return;
        }
        checked.add(def.name);
        const g = plan.case;
        it(`${def.name} case ${index}: first order`, () => firstOrder(g));
        if (def.test.noSecondOrder) it.skip(`${def.name} case ${index}: second order skipped: ${def.test.noSecondOrder}`, () => undefined);
        else if (g.floatInputs.length > 0) it(`${def.name} case ${index}: second order`, () => secondOrder(g));
      });
    });
  }
});

describe("gradient coverage", () => {
  it("every op is grad-checked, declares vjp \"none\", or declares noGradCheck with a reason", () => {
    const unaccounted = defs
      .filter((d) => !(d.vjp === "none" || (typeof d.test.noGradCheck === "string" && d.test.noGradCheck.trim().length > 0) || checked.has(d.name)))
      .map((d) => d.name);
    expect(unaccounted).toEqual([]);
  });
  it("every noGradCheck and noSecondOrder reason is non-empty", () => {
    const empty = defs.filter((d) => (d.test.noGradCheck !== undefined && !d.test.noGradCheck.trim()) || (d.test.noSecondOrder !== undefined && !d.test.noSecondOrder.trim())).map((d) => d.name);
    expect(empty).toEqual([]);
  });
});
