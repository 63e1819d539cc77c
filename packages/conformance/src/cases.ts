/**
 * Case planning from the op table: each op's declared `test.cases` plus generated shape
 * classes per family (scalar, empty, broadcast, odd sizes, a large size, non-contiguous
 * inputs), expanded over dtypes. Pure: reads op records, creates no tensors.
 */
import { opTable, type DType, type OpDef, type OpFamily, type TensorSpec } from "@eager/core/backend";

/** How an input tensor is produced on the device: directly, or as a view of a larger tensor. */
export type Layout = "dense" | "transposed" | "sliced";

/** Where a case comes from: the op's own list, or a generated shape class. */
export type ShapeClass = "case" | "scalar" | "empty" | "broadcast" | "odd" | "large" | "noncontiguous";

/** One call of an op, before dtypes are chosen. */
export interface CaseTemplate {
  readonly op: string;
  readonly shapeClass: ShapeClass;
  /** Position in `test.cases` (for "case"), else a counter within the op. */
  readonly index: number;
  readonly shapes: readonly (readonly number[])[];
  /** Declared dtypes; float entries are replaced by each dtype under test. */
  readonly dtypes?: readonly DType[];
  readonly attrs: unknown;
  readonly layouts: readonly Layout[];
}

/** A case with concrete dtypes, its output specs and a stable label. */
export interface PlannedCase extends CaseTemplate {
  readonly inputDTypes: readonly DType[];
  /** Input dtypes after the op's promotion (what the kernel sees). */
  readonly promotedDTypes: readonly DType[];
  readonly outputs: readonly TensorSpec[];
  readonly label: string;
}

/** Options for planning. */
export interface PlanOptions {
  /** Elements of the "large" shape class (elementwise and reduce families); 0 leaves it out. */
  readonly largeSize?: number;
  /** Whether non-contiguous variants are generated (they need the transpose / slice ops). */
  readonly transposed?: boolean;
  readonly sliced?: boolean;
}

/** The default size of the large shape class: above the threading threshold of typical CPU backends. */
export const DEFAULT_LARGE_SIZE = 100_003;

const ELEMENTWISE: readonly OpFamily[] = ["unary", "binary", "ternary", "cast"];
const REDUCING: readonly OpFamily[] = ["reduce", "scan"];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

function isFloatDType(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** The dtypes a kernel sees after the op's `promote` rule (as dispatch applies it). */
export function promotedDTypes(def: OpDef<unknown>, dtypes: readonly DType[]): DType[] {
  if (!def.promote || dtypes.length === 0) return [...dtypes];
  let common = dtypes.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
  if (def.promote === "float" && !isFloatDType(common)) common = "float32";
  else if (def.promote === "arith" && common === "bool") common = "int32";
  return dtypes.map(() => common);
}

/** Output specs of a call, or null when the op rejects it. */
export function inferOutputs(def: OpDef<unknown>, shapes: readonly (readonly number[])[], dtypes: readonly DType[], attrs: unknown): TensorSpec[] | null {
  if (def.inputDTypes && dtypes.some((d) => !def.inputDTypes!.includes(d))) return null;
  const promoted = promotedDTypes(def, dtypes);
  try {
    return def.infer(
      shapes.map((shape, i) => ({ shape, dtype: promoted[i]! })),
      attrs,
    );
  } catch {
    return null;
  }
}

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const shapeStr = (s: readonly number[]) => `[${s.join(",")}]`;
const SHORT: Record<DType, string> = { float32: "f32", float64: "f64", int32: "i32", bool: "bool" };

function attrsStr(attrs: unknown): string {
  const s = JSON.stringify(attrs);
  if (!s || s === "{}") return "";
  return s.length > 80 ? ` ${s.slice(0, 77)}...` : ` ${s}`;
}

/** A readable, stable name for a case: class, index, inputs with dtypes and layouts, attrs. */
export function caseLabel(c: CaseTemplate, dtypes: readonly DType[]): string {
  const inputs = c.shapes.map((s, i) => `${SHORT[dtypes[i]!]}${shapeStr(s)}${c.layouts[i] === "transposed" ? "ᵀ" : c.layouts[i] === "sliced" ? "[:]" : ""}`);
  return `${c.shapeClass} ${c.index}: (${inputs.join(", ")})${attrsStr(c.attrs)}`;
}

const dense = (n: number): Layout[] => new Array<Layout>(n).fill("dense");

/** Generated shape sets for elementwise ops, by arity. */
const ELEMENTWISE_SHAPES: Record<number, readonly [ShapeClass, number[][]][]> = {
  1: [
    ["scalar", [[]]],
    ["empty", [[0]]],
    ["empty", [[2, 0, 3]]],
    ["odd", [[13, 17]]],
  ],
  2: [
    ["scalar", [[], []]],
    ["scalar", [[3], []]],
    ["empty", [[0, 3], [3]]],
    ["empty", [[2, 0], [2, 1]]],
    ["broadcast", [[3, 1, 5], [4, 1]]],
    ["broadcast", [[1, 4], [3, 1]]],
    ["odd", [[13, 17], [13, 17]]],
  ],
  3: [
    ["scalar", [[], [], []]],
    ["empty", [[0, 3], [3], [1]]],
    ["broadcast", [[3, 1, 5], [4, 1], [5]]],
    ["broadcast", [[2, 1], [], [3]]],
    ["odd", [[13, 17], [13, 17], [17]]],
  ],
};

function largeElementwise(arity: number, n: number): number[][] {
  if (arity === 1) return [[n]];
  const cols = 303;
  const rows = Math.max(1, Math.ceil(n / cols));
  return Array.from({ length: arity }, (_, i) => (i === 0 ? [rows, cols] : i === 1 ? [rows, cols] : [cols]));
}

/** d -> 2d + 1 for d > 1 (0 and 1 kept): preserves equal dims and broadcast ones. */
function oddShape(s: readonly number[]): number[] {
  return s.map((d) => (d > 1 ? 2 * d + 1 : d));
}

function scaledShape(s: readonly number[], n: number): number[] {
  const size = sizeOf(s);
  const f = Math.ceil(Math.pow(n / size, 1 / s.length));
  return s.map((d) => d * f);
}

function layoutsFor(shapes: readonly (readonly number[])[], layout: Layout): Layout[] | null {
  const out = shapes.map((s) => (sizeOf(s) > 0 && (layout === "transposed" ? s.length >= 2 : s.length >= 1) ? layout : "dense"));
  return out.some((l) => l !== "dense") ? out : null;
}

/** Every case template of one op: its declared cases, then the generated shape classes. */
export function caseTemplates(def: OpDef<unknown>, options: PlanOptions = {}): CaseTemplate[] {
  const large = options.largeSize ?? DEFAULT_LARGE_SIZE;
  const cases = def.test.cases;
  const out: CaseTemplate[] = [];
  const seen = new Set<string>();
  const counter = new Map<ShapeClass, number>();
  const push = (shapeClass: ShapeClass, shapes: readonly (readonly number[])[], attrs: unknown, dtypes: readonly DType[] | undefined, layouts: readonly Layout[]): void => {
    const key = JSON.stringify([shapes, attrs, dtypes ?? null, layouts]);
    if (seen.has(key)) return;
    seen.add(key);
    const index = shapeClass === "case" ? out.length : (counter.get(shapeClass) ?? 0);
    if (shapeClass !== "case") counter.set(shapeClass, index + 1);
    out.push({ op: def.name, shapeClass, index, shapes, dtypes, attrs, layouts });
  };
  cases.forEach((c) => push("case", c.shapes, c.attrs, c.dtypes, dense(c.shapes.length)));
  if (def.arity === 0 || cases.length === 0) return out;

  const noncontiguous = (shapes: readonly (readonly number[])[], attrs: unknown, dtypes: readonly DType[] | undefined): void => {
    for (const layout of ["transposed", "sliced"] as const) {
      if ((layout === "transposed" && options.transposed === false) || (layout === "sliced" && options.sliced === false)) continue;
      const ls = layoutsFor(shapes, layout);
      if (ls) push("noncontiguous", shapes, attrs, dtypes, ls);
    }
  };

  if (ELEMENTWISE.includes(def.family) && ELEMENTWISE_SHAPES[def.arity]) {
    const attrSets = new Map<string, { attrs: unknown; dtypes?: readonly DType[] }>();
    for (const c of cases) if (!attrSets.has(JSON.stringify(c.attrs))) attrSets.set(JSON.stringify(c.attrs), { attrs: c.attrs, dtypes: c.dtypes });
    for (const { attrs, dtypes } of [...attrSets.values()].slice(0, 4)) {
      for (const [cls, shapes] of ELEMENTWISE_SHAPES[def.arity]!) push(cls, shapes, attrs, dtypes, dense(shapes.length));
      if (large > 0) push("large", largeElementwise(def.arity, large), attrs, dtypes, dense(def.arity));
      const nc = def.arity === 1 ? [[5, 7]] : def.arity === 2 ? [[5, 7], [5, 7]] : Array.from({ length: def.arity }, () => [5, 7]);
      noncontiguous(nc, attrs, dtypes);
      if (def.arity === 2) noncontiguous([[5, 7], [7]], attrs, dtypes);
    }
    return out;
  }

  for (const c of cases) {
    const odd = c.shapes.map(oddShape);
    if (sizeOf(odd.flat()) !== 0 && JSON.stringify(odd) !== JSON.stringify(c.shapes)) push("odd", odd, c.attrs, c.dtypes, dense(odd.length));
  }
  if (REDUCING.includes(def.family)) {
    for (const c of cases) {
      const s = c.shapes[0]!;
      if (s.length >= 2 && sizeOf(s) > 0) push("empty", [[0, ...s.slice(1)], ...c.shapes.slice(1)], c.attrs, c.dtypes, dense(c.shapes.length));
    }
    const biggest = cases.filter((c) => sizeOf(c.shapes[0] ?? [0]) > 0 && c.shapes[0]!.length > 0).sort((a, b) => b.shapes[0]!.length - a.shapes[0]!.length)[0];
    if (biggest && large > 0) push("large", [scaledShape(biggest.shapes[0]!, large), ...biggest.shapes.slice(1)], biggest.attrs, biggest.dtypes, dense(biggest.shapes.length));
  }
  for (const c of cases) noncontiguous(c.shapes, c.attrs, c.dtypes);
  return out;
}

/**
 * Concrete dtype lists for a template: declared float dtypes (or, with none declared, every
 * input outside `intInputs`) take each of `candidates`; the op's `inputDTypes` and `infer`
 * decide which combinations are valid.
 */
export function expandDTypes(def: OpDef<unknown>, t: CaseTemplate, candidates: readonly DType[]): PlannedCase[] {
  const intInputs = def.test.intInputs ?? {};
  const variable = t.shapes.map((_, i) => (t.dtypes ? isFloatDType(t.dtypes[i]!) : !(i in intInputs)));
  const fixed = t.shapes.map((_, i) => t.dtypes?.[i] ?? "int32");
  const out: PlannedCase[] = [];
  const seen = new Set<string>();
  const options = variable.some(Boolean) ? candidates : ([null] as const);
  for (const d of options) {
    const dtypes = t.shapes.map((_, i) => (variable[i] && d ? d : fixed[i]!));
    const key = dtypes.join();
    if (seen.has(key)) continue;
    seen.add(key);
    const outputs = inferOutputs(def, t.shapes, dtypes, t.attrs);
    if (!outputs) continue;
    out.push({ ...t, inputDTypes: dtypes, promotedDTypes: promotedDTypes(def, dtypes), outputs, label: caseLabel(t, dtypes) });
  }
  return out;
}

/** Every op record of the table, in table order. */
export function tableOps(): OpDef<unknown>[] {
  return Object.values(opTable) as unknown as OpDef<unknown>[];
}
