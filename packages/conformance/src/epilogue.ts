/**
 * Fused-epilogue checks: a head op (matmul, conv2d, a reduction) followed by a chain of
 * elementwise ops, run through a backend's `fusedEpilogue` with a resolved op built as dispatch
 * builds it, against the head and then each elementwise op run unfused on the reference
 * backend. Runner-agnostic; only the public plugin API.
 */
import { tensor, withDevice, type Tensor } from "@eager/core";
import { getBackend, ir, opTable, runOp, sizeOf, type DType, type Expr, type KernelTensor, type OpDef, type OpName, type ResolvedOp, type TypedArray } from "@eager/core/backend";
import { compareValues, DEFAULT_TOLERANCES, type Tolerance } from "./compare.js";
import { seededRandom, uniformValues } from "./values.js";

/** An operand of an epilogue step: the running value, extra `k`, or a constant. */
export type EpilogueOperand = "acc" | { readonly extra: number } | { readonly value: number };

/** One elementwise op of an epilogue: `op(...args)` with `attrs` (numeric ones become constants). */
export interface EpilogueStep {
  readonly op: OpName;
  readonly args: readonly EpilogueOperand[];
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** A head and its elementwise tail. Every value has the head output's dtype. */
export interface EpilogueCase {
  readonly name: string;
  readonly head: OpName;
  readonly shapes: readonly (readonly number[])[];
  readonly dtype?: DType;
  readonly attrs: object;
  /** Shapes of the extra inputs (broadcast to the head's output shape). */
  readonly extras: readonly (readonly number[])[];
  readonly steps: readonly EpilogueStep[];
}

const relu: EpilogueStep = { op: "relu", args: ["acc"] };
const mm = (transposeA = false, transposeB = false) => ({ transposeA, transposeB });

/** The cases every backend with `fusedEpilogue` runs (heads it declines are reported, not failed). */
export const epilogueCases: readonly EpilogueCase[] = [
  { name: "matmul + bias + relu", head: "matmul", shapes: [[5, 7], [7, 6]], attrs: mm(), extras: [[6]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }, relu] },
  { name: "matmul over K = 0 + bias + relu", head: "matmul", shapes: [[3, 0], [0, 4]], attrs: mm(), extras: [[4]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }, relu] },
  { name: "tiled matmul + bias + relu", head: "matmul", shapes: [[70, 65], [65, 67]], attrs: mm(), extras: [[67]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }, relu] },
  { name: "transposed batched matmul + tanh", head: "matmul", shapes: [[2, 1, 7, 5], [3, 6, 7]], attrs: mm(true, true), extras: [], steps: [{ op: "tanh", args: ["acc"] }] },
  { name: "tiled transposed batched matmul + tanh", head: "matmul", shapes: [[2, 66, 64], [2, 65, 66]], attrs: mm(true, true), extras: [], steps: [{ op: "tanh", args: ["acc"] }] },
  {
    name: "matmul with row, column and scalar extras",
    head: "matmul",
    shapes: [[6, 5], [5, 4]],
    attrs: mm(),
    extras: [[6, 1], [4], []],
    steps: [{ op: "mul", args: ["acc", { extra: 0 }] }, { op: "add", args: ["acc", { extra: 1 }] }, { op: "sub", args: ["acc", { extra: 2 }] }, { op: "maximum", args: ["acc", { value: 0.25 }] }],
  },
  { name: "batched matmul + per-batch extra [2,1,1]", head: "matmul", shapes: [[2, 3, 4], [4, 5]], attrs: mm(), extras: [[2, 1, 1]], steps: [{ op: "mul", args: ["acc", { extra: 0 }] }] },
  { name: "batched matmul - extra [2,1,5] (strided broadcast)", head: "matmul", shapes: [[2, 3, 4], [2, 4, 5]], attrs: mm(), extras: [[2, 1, 5]], steps: [{ op: "sub", args: ["acc", { extra: 0 }] }] },
  { name: "int32 matmul * 3 - extra", head: "matmul", dtype: "int32", shapes: [[4, 5], [5, 3]], attrs: mm(), extras: [[3]], steps: [{ op: "mul", args: ["acc", { value: 3 }] }, { op: "sub", args: ["acc", { extra: 0 }] }] },
  { name: "sum over a long axis * scale", head: "sum", shapes: [[4, 300]], attrs: { axes: [1], keepDims: false }, extras: [], steps: [{ op: "mul", args: ["acc", { value: 0.125 }] }] },
  { name: "sum keepDims + column extra", head: "sum", shapes: [[4, 6]], attrs: { axes: [1], keepDims: true }, extras: [[4, 1]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }] },
  { name: "mean over axes 0 and 2 * scale + extra", head: "mean", shapes: [[3, 5, 4]], attrs: { axes: [0, 2], keepDims: false }, extras: [[5]], steps: [{ op: "mul", args: ["acc", { value: 2 }] }, { op: "add", args: ["acc", { extra: 0 }] }] },
  { name: "max over rows then exp", head: "max", shapes: [[3, 200]], attrs: { axes: [1], keepDims: false }, extras: [], steps: [{ op: "exp", args: ["acc"] }] },
  { name: "sum of everything + scalar extra", head: "sum", shapes: [[7, 9]], attrs: { axes: [0, 1], keepDims: false }, extras: [[]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }] },
  { name: "int32 sum * 2", head: "sum", dtype: "int32", shapes: [[4, 6]], attrs: { axes: [1], keepDims: false }, extras: [], steps: [{ op: "mul", args: ["acc", { value: 2 }] }] },
  {
    name: "conv2d + bias + relu",
    head: "conv2d",
    shapes: [[2, 6, 5, 3], [3, 3, 3, 4]],
    attrs: { strides: [1, 1], pad: { top: 1, bottom: 1, left: 1, right: 1 }, dilations: [1, 1] },
    extras: [[4]],
    steps: [{ op: "add", args: ["acc", { extra: 0 }] }, relu],
  },
];

/** Host values of a case's inputs and extras (seeded by the case name; integers for int32). */
function caseValues(c: EpilogueCase): { inputs: TypedArray[]; extras: TypedArray[] } {
  const rng = seededRandom(c.name);
  const dtype = c.dtype ?? "float32";
  const make = (shape: readonly number[]): TypedArray => {
    const v = uniformValues(sizeOf(shape), rng, -2, 2);
    return dtype === "int32" ? Int32Array.from(v, (x) => Math.round(x * 2)) : Float32Array.from(v);
  };
  return { inputs: c.shapes.map(make), extras: c.extras.map(make) };
}

/** The epilogue as one expression: input 0 is the head's value, input k >= 1 is extra k - 1. */
export function epilogueExpr(c: EpilogueCase, dtype: DType): Expr {
  const d = dtype as ir.IrDType;
  let acc = ir.input(0, d);
  for (const step of c.steps) {
    const leaves = step.args.map((a) => (a === "acc" ? acc : "extra" in a ? ir.input(a.extra + 1, d) : ir.constant(a.value, d)));
    const statics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(step.attrs ?? {})) if (typeof v !== "number") statics[k] = v;
    const e = ir.instantiate(opTable[step.op].expr as ir.ElementwiseExpr<unknown>, leaves.map(() => d), statics);
    acc = ir.rewrite(e, (x) => (x.op === "input" ? leaves[x.index!]! : x.op === "attr" ? ir.constant(step.attrs![x.name!] as number, x.dtype) : x));
  }
  return acc;
}

/** The case run unfused on the reference backend: the head, then each step as its own op. */
async function expected(c: EpilogueCase, values: { inputs: TypedArray[]; extras: TypedArray[] }): Promise<TypedArray> {
  const dtype = c.dtype ?? "float32";
  return withDevice("reference", async () => {
    const made: Tensor[] = [];
    const t = (v: TypedArray, shape: readonly number[]) => {
      const x = tensor(v, shape as number[], dtype);
      made.push(x);
      return x;
    };
    const ins = values.inputs.map((v, i) => t(v, c.shapes[i]!));
    const extras = values.extras.map((v, i) => t(v, c.extras[i]!));
    let acc = runOp(c.head, ins, c.attrs as never)[0]!;
    made.push(acc);
    for (const step of c.steps) {
      const args = step.args.map((a) => (a === "acc" ? acc : "extra" in a ? extras[a.extra]! : t(new (dtype === "int32" ? Int32Array : Float32Array)([a.value]), [])));
      acc = runOp(step.op, args, (step.attrs ?? {}) as never)[0]!;
      made.push(acc);
    }
    const out = await acc.data();
    for (const x of made) x.dispose();
    return out;
  });
}

/** What one case gave on a device: whether the backend fused it, and the comparison. */
export interface EpilogueResult {
  /** False when the backend declined (returned false) or has no `fusedEpilogue`. */
  readonly fused: boolean;
  /** Null when the values agree (or the backend declined), else what differs. */
  readonly mismatch: string | null;
  readonly actual?: TypedArray;
  readonly expected?: TypedArray;
  /** How much `counter` (e.g. the backend's kernel launches) grew during the `fusedEpilogue` call. */
  readonly counted?: number;
}

/**
 * Run `c` through `device`'s `fusedEpilogue` (inputs, extras and the output allocated and
 * written through the plugin API; the resolved op as dispatch builds it: the op record, kernel
 * views, attrs, device and the op's plan) and compare with the unfused reference run.
 * `counter` is read just before and after the call (`counted`).
 */
export async function runEpilogueCase(device: string, c: EpilogueCase, tol: Tolerance = DEFAULT_TOLERANCES[c.dtype ?? "float32"], counter?: () => number): Promise<EpilogueResult> {
  const backend = getBackend(device);
  const dtype = c.dtype ?? "float32";
  const def = opTable[c.head] as unknown as OpDef<unknown>;
  const specs = c.shapes.map((shape) => ({ shape, dtype }));
  const plan = def.plan ? def.plan(specs, c.attrs) : undefined;
  const [outSpec] = def.infer(specs, c.attrs, plan);
  const expr = epilogueExpr(c, outSpec!.dtype);
  if (!backend.fusedEpilogue) return { fused: false, mismatch: null };
  const values = caseValues(c);
  const views: KernelTensor[] = [];
  const upload = (v: TypedArray, shape: readonly number[], d: DType): KernelTensor => {
    const data = backend.alloc(d, v.length);
    if (v.length > 0) backend.write(data, v);
    const view = { data, shape, dtype: d, size: v.length };
    views.push(view);
    return view;
  };
  try {
    const inputs = values.inputs.map((v, i) => upload(v, c.shapes[i]!, dtype));
    const extras = values.extras.map((v, i) => upload(v, c.extras[i]!, dtype));
    const size = sizeOf(outSpec!.shape);
    const output: KernelTensor = { data: backend.alloc(outSpec!.dtype, size), shape: outSpec!.shape, dtype: outSpec!.dtype, size };
    views.push(output);
    const op: ResolvedOp<unknown> = { def, inputs, outputs: [output], attrs: c.attrs, device: backend.name, plan };
    const before = counter?.();
    if (!backend.fusedEpilogue(op, expr, extras, output)) return { fused: false, mismatch: null };
    const counted = counter ? counter() - before! : undefined;
    const actual = await backend.read(output.data, output.dtype, size);
    const want = await expected(c, values);
    return { fused: true, mismatch: compareValues(actual, want, output.dtype, tol), actual, expected: want, counted };
  } finally {
    for (const v of views) backend.free(v.data);
  }
}
