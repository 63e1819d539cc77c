/**
 * The program that exporters read: inputs (null = dynamic dim), named variables, constants,
 * SSA nodes over op-table records, outputs. Built by tracing the target at three sizes N of the
 * dynamic dimension (optional ops may be expanded into their decompositions) and fitting every
 * size-dependent attr as `mul * N + add`; a one-valued constant whose shape follows N becomes a
 * fill node; any other dependence on N is refused. All null dims of a signature share N.
 */
import { type DType, type TypedArray } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import { engine } from "../engine/engine.js";
import { traceRaw, type RawTrace } from "../engine/trace.js";
import { readStorageSync } from "../engine/transfer.js";
import { Layer } from "../layers/layer.js";
import type { OpName } from "../ops/table.js";
import { Tensor, Variable } from "../tensor.js";

/** A dimension: a size, or null where it is the dynamic size N. */
export type Dim = number | null;
/** One value of a program: its id, shape and dtype. */
export interface ProgramValue {
  readonly id: number;
  readonly shape: readonly Dim[];
  readonly dtype: DType;
}
/** A program input, named `input_<i>` unless the signature names it. */
export interface ProgramInput extends ProgramValue {
  readonly name: string;
}
/** A variable: an input of the program whose value is a weight, by name. */
export interface ProgramVariable {
  readonly id: number;
  readonly name: string;
  readonly tensor: Tensor;
}
/** A captured constant that is not a variable, with its values. */
export interface ProgramConstant {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly values: TypedArray;
}
/** One node: an op-table record on earlier values. Attrs may hold `{ $dim: [mul, add] }` for `mul * N + add`. */
export interface ProgramNode {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly attrs: unknown;
  readonly outputs: readonly ProgramValue[];
}
/** A traced program: what `saveModel` and the ONNX exporter write. */
export interface Program {
  readonly inputs: readonly ProgramInput[];
  readonly variables: readonly ProgramVariable[];
  readonly constants: readonly ProgramConstant[];
  readonly nodes: readonly ProgramNode[];
  readonly outputs: readonly ProgramValue[];
}
/** One input of a signature: a shape whose null entries are the dynamic size N. */
export interface InputSpec {
  readonly shape: readonly Dim[];
  readonly dtype?: DType;
  readonly name?: string;
}
/** What can be exported: a function of tensors (compiled or not) or a Network (its `call`, not training). */
export type ExportTarget = ((...inputs: Tensor[]) => Tensor | readonly Tensor[]) | Layer<any, any>;

/** A size-dependent attr value: `mul * N + add`. */
export interface DimExpr {
  readonly $dim: readonly [number, number];
}
/** True for a `{ $dim: [mul, add] }` attr value. */
export function isDimExpr(v: unknown): v is DimExpr {
  return typeof v === "object" && v !== null && Array.isArray((v as DimExpr).$dim) && Object.keys(v).length === 1;
}
/** Attrs with every `$dim` expression replaced by its value at size `n`. */
export function resolveAttrs(attrs: unknown, n: number): unknown {
  if (isDimExpr(attrs)) return attrs.$dim[0] * n + attrs.$dim[1];
  if (Array.isArray(attrs)) return attrs.map((a) => resolveAttrs(a, n));
  if (typeof attrs === "object" && attrs !== null) return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, resolveAttrs(v, n)]));
  return attrs;
}

const SIZES = [2, 3, 5] as const;

function targetFunction(target: ExportTarget, what: string): (...xs: Tensor[]) => Tensor | readonly Tensor[] {
  if (target instanceof Layer) return (...xs) => target.apply(xs.length === 1 ? xs[0] : xs, { training: false });
  if (typeof target === "function") return target;
  throw new InvalidArgumentError(`${what}: the target must be a function of tensors or a Network`);
}

/** Variable names: a network's relative names ("dense_1/kernel"), else each variable's own name. */
function variableNames(target: ExportTarget): Map<Tensor, string> {
  const m = new Map<Tensor, string>();
  if (target instanceof Layer) for (const [n, v] of target.namedVariables()) m.set(v, n);
  return m;
}

/** Canonical ids: inputs, then captured tensors in first-use order, then node outputs. */
function canonical(raw: RawTrace): { ids: Map<number, number>; captured: Tensor[] } {
  const ids = new Map<number, number>();
  raw.inputs.forEach((v) => ids.set(v.id, ids.size));
  const captured = [...raw.constants.values()];
  for (const t of captured) ids.set(t.id, ids.size);
  for (const n of raw.nodes) for (const o of n.outputs) ids.set(o.id, ids.size);
  return { ids, captured };
}

function fit(a: number, b: number, c: number, path: string, what: string): number | DimExpr {
  if (a === b && b === c) return a;
  const mul = b - a;
  const add = a - mul * SIZES[0];
  if (mul * SIZES[2] + add !== c) throw new InvalidArgumentError(`${what}: ${path} depends on the dynamic size in a way that is not linear (${a}, ${b}, ${c} at N = ${SIZES.join(", ")})`);
  return { $dim: [mul, add] };
}

function fitAttrs(xs: readonly unknown[], path: string, what: string): unknown {
  const [a, b, c] = xs;
  if (typeof a === "number" && typeof b === "number" && typeof c === "number") return fit(a, b, c, path, what);
  if (Array.isArray(a)) {
    if (!xs.every((x) => Array.isArray(x) && x.length === a.length)) throw new InvalidArgumentError(`${what}: ${path} changes length with the dynamic size`);
    return a.map((_, i) => fitAttrs(xs.map((x) => (x as unknown[])[i]), `${path}[${i}]`, what));
  }
  if (typeof a === "object" && a !== null) {
    return Object.fromEntries(Object.keys(a).map((k) => [k, fitAttrs(xs.map((x) => (x as Record<string, unknown>)[k]), `${path}.${k}`, what)]));
  }
  if (!xs.every((x) => x === a)) throw new InvalidArgumentError(`${what}: ${path} changes with the dynamic size`);
  return a;
}

function fitShape(shapes: readonly (readonly number[])[]): Dim[] {
  return shapes[0]!.map((d, i) => (shapes.every((s) => s[i] === d) ? d : null));
}

/**
 * Trace `target` for `signature` into a program. With no null dim it traces once; otherwise at
 * N = 2, 3 and 5, and checks the three traces agree up to linear size-dependent attrs.
 * @example const p = traceProgram((x) => x.relu(), [{ shape: [null, 4] }], "export");
 */
export function traceProgram(target: ExportTarget, signature: readonly InputSpec[], what = "export", expand?: (op: OpName) => boolean): Program {
  if (!Array.isArray(signature) || signature.length === 0) throw new InvalidArgumentError(`${what}: inputSignature must be a non-empty array of { shape, dtype }`);
  signature.forEach((s, i) => {
    if (!Array.isArray(s?.shape) || (s.shape as readonly Dim[]).some((d: Dim) => d !== null && !(Number.isInteger(d) && d >= 0)))
      throw new InvalidArgumentError(`${what}: inputSignature[${i}].shape must be an array of sizes or null`);
  });
  const dynamic = signature.some((s) => s.shape.includes(null));
  const fn = targetFunction(target, what);
  const sizes = dynamic ? SIZES : [SIZES[0]];
  const asSource = engine.compiledAsSource;
  engine.compiledAsSource = true; // a compiled function (or one called inside fn) is traced as its source
  let raws: RawTrace[];
  try {
    raws = sizes.map((n) => traceRaw(fn, signature.map((s) => ({ shape: s.shape.map((d: Dim) => d ?? n), dtype: s.dtype ?? "float32" })), expand));
  } finally {
    engine.compiledAsSource = asSource;
  }
  try {
    return build(raws, target, signature, what);
  } finally {
    for (const r of raws) for (const t of r.constants.values()) t._unretain();
  }
}

function build(raws: RawTrace[], target: ExportTarget, signature: readonly InputSpec[], what: string): Program {
  const cans = raws.map(canonical);
  const r0 = raws[0]!;
  const c0 = cans[0]!;
  for (const [k, r] of raws.entries()) {
    const c = cans[k]!;
    if (r.nodes.length !== r0.nodes.length || c.captured.length !== c0.captured.length || r.outputs.length !== r0.outputs.length)
      throw new InvalidArgumentError(`${what}: the function runs different ops at different sizes of the dynamic dimension`);
    r.nodes.forEach((n, i) => {
      const m = r0.nodes[i]!;
      const same = n.op === m.op && n.inputs.length === m.inputs.length && n.inputs.every((id, j) => c.ids.get(id) === c0.ids.get(m.inputs[j]!));
      if (!same) throw new InvalidArgumentError(`${what}: node ${i} (${m.op}) differs between sizes of the dynamic dimension`);
    });
  }
  const names = variableNames(target);
  const variables: ProgramVariable[] = [];
  const constants: ProgramConstant[] = [];
  const fills: ProgramNode[] = [];
  c0.captured.forEach((t, i) => {
    const id = c0.ids.get(t.id)!;
    const name = names.get(t) ?? (t instanceof Variable ? t.name : undefined);
    if (name !== undefined) {
      if (variables.some((v) => v.name === name)) throw new InvalidArgumentError(`${what}: two variables are named "${name}"`);
      variables.push({ id, name, tensor: t });
      return;
    }
    const values = readStorageSync(t._live(what), `${what}: reading a captured constant`);
    const all = cans.map((c) => c.captured[i]!);
    const read = all.map((u) => (u === t ? values : readStorageSync(u._live(what), what)));
    const same = all.every((u, k) => u === t || (u.shape.length === t.shape.length && u.shape.every((d, j) => d === t.shape[j]) && u.dtype === t.dtype && read[k]!.every((v, j) => Object.is(v, values[j]))));
    if (same) return void constants.push({ id, shape: t.shape, dtype: t.dtype, values: values.slice() });
    // A constant filled with one value whose shape follows N (zeros([batch, units])) becomes a fill node.
    const v = values[0];
    const uniform = v !== undefined && all.every((u, k) => u.dtype === t.dtype && u.shape.length === t.shape.length && read[k]!.every((x) => Object.is(x, v)));
    if (uniform) {
      const shape = fitAttrs(all.map((u) => u.shape), `a constant ${t.dtype}[${t.shape.join(", ")}]'s shape`, what);
      fills.push({ op: "fill", inputs: [], attrs: { shape, dtype: t.dtype, value: Number(v) }, outputs: [{ id, dtype: t.dtype, shape: fitShape(all.map((u) => u.shape)) }] });
      return;
    }
    const k = r0.nodes.findIndex((n) => n.inputs.includes(t.id));
    const user = k >= 0 ? ` (an input of ${r0.nodes[k]!.op}, node ${k})` : "";
    throw new InvalidArgumentError(`${what}: a constant ${t.dtype}[${t.shape.join(", ")}]${user} depends on the dynamic size; build it from the inputs with ops, or export with a fixed size`);
  });
  const nodes: ProgramNode[] = fills.concat(r0.nodes.map((n, i) => ({
    op: n.op,
    inputs: n.inputs.map((id) => c0.ids.get(id)!),
    attrs: raws.length === 1 ? n.attrs : fitAttrs(raws.map((r) => r.nodes[i]!.attrs), `${n.op} (node ${i}) attrs`, what),
    outputs: n.outputs.map((o, j) => ({ id: c0.ids.get(o.id)!, dtype: o.dtype, shape: fitShape(raws.map((r) => r.nodes[i]!.outputs[j]!.shape)) })),
  })));
  const valueOf = new Map<number, ProgramValue>();
  const inputs: ProgramInput[] = r0.inputs.map((v, i) => ({ id: c0.ids.get(v.id)!, name: signature[i]!.name ?? `input_${i}`, shape: [...signature[i]!.shape], dtype: v.dtype }));
  for (const v of inputs) valueOf.set(v.id, v);
  for (const v of variables) valueOf.set(v.id, { id: v.id, shape: v.tensor.shape, dtype: v.tensor.dtype });
  for (const c of constants) valueOf.set(c.id, c);
  for (const n of nodes) for (const o of n.outputs) valueOf.set(o.id, o);
  const outputs = r0.outputs.map((id) => valueOf.get(c0.ids.get(id)!)!);
  return { inputs, variables, constants, nodes, outputs };
}
