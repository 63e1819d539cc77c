/**
 * ONNX export: trace the target (optional ops without a direct mapping are recorded as their
 * decompositions), map each node with onnx-ops.ts, and encode a ModelProto (default opset 17,
 * IR 8). Weights become initializers inside the file; external data (models over 2 GB) is not
 * supported. Null signature dims become the symbolic dim "N". Unmappable ops are all listed.
 */
import { platform } from "#platform";
import type { DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import { opNames, opTable, type OpName } from "../ops/table.js";
import type { OpDef } from "../ops/def.js";
import type { Tensor } from "../tensor.js";
import { encodeOnnxModel, type OnnxAttr, type OnnxDType, type OnnxNode, type OnnxTensor } from "./onnx-proto.js";
import { onnxMappings, rawOf, Unmapped, type MapContext } from "./onnx-ops.js";
import { isDimExpr, traceProgram, type DimExpr, type Program, type ProgramValue } from "./program.js";
import { SavedModel, type ExportOptions } from "./saved-model.js";
import type { ExportTarget } from "./program.js";

/** Options of the ONNX exporter. */
export interface OnnxExportOptions extends Partial<ExportOptions> {
  /** ONNX opset (default 17; at least 17). */
  readonly opset?: number;
  /** IR version written (default 8, the one opset 17 belongs to). */
  readonly irVersion?: number;
}
/** The export met ops it cannot write; `unmapped` lists each with where it was used. */
export class OnnxExportError extends InvalidArgumentError {
  constructor(readonly unmapped: readonly string[]) {
    super(`onnx.exportModel: ${unmapped.length} op use(s) have no ONNX mapping:\n  ${unmapped.join("\n  ")}`);
  }
}

const DIM_NAME = "N";
const isOptional = (op: OpName) => (opTable[op] as unknown as OpDef<unknown>).decompose !== undefined;
/** True where the exporter records an op as its decomposition. */
const expandForOnnx = (op: OpName) => onnxMappings[op] === undefined && isOptional(op);

/** Which ops map directly, which through their decomposition, and which not at all. */
export function onnxCoverage(): { direct: OpName[]; decomposed: OpName[]; unmapped: OpName[] } {
  const direct = opNames.filter((o) => onnxMappings[o] !== undefined);
  const decomposed = opNames.filter((o) => expandForOnnx(o));
  const unmapped = opNames.filter((o) => onnxMappings[o] === undefined && !isOptional(o));
  return { direct, decomposed, unmapped };
}

const onnxDType = (d: DType): OnnxDType => d;
const dimsOf = (shape: readonly (number | null)[]) => shape.map((d) => d ?? DIM_NAME);
function tensorBytes(t: { dtype: DType; values: ArrayLike<number> }): Uint8Array {
  const v = t.values as unknown as ArrayBufferView;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
}

/** Encode a program (already traced with decompositions expanded) as ONNX bytes. */
async function programToOnnx(p: Program, opset: number, irVersion: number): Promise<Uint8Array> {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const names = new Map<number, string>();
  let fresh = 0;
  const newName = (base: string) => `${base}_${fresh++}`;
  for (const i of p.inputs) names.set(i.id, i.name);
  for (const v of p.variables) {
    names.set(v.id, v.name);
    initializers.push({ name: v.name, dtype: onnxDType(v.tensor.dtype), dims: v.tensor.shape, raw: tensorBytes({ dtype: v.tensor.dtype, values: await v.tensor.data() }) });
  }
  for (const c of p.constants) {
    const name = `const_${c.id}`;
    names.set(c.id, name);
    initializers.push({ name, dtype: onnxDType(c.dtype), dims: c.shape, raw: tensorBytes(c) });
  }
  const constant = (dtype: OnnxDType, dims: readonly number[], values: readonly number[]) => {
    const name = newName("k");
    initializers.push({ name, dtype, dims, raw: rawOf(dtype, values) });
    return name;
  };
  const node = (opType: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>, outputs = 1) => {
    const outs = Array.from({ length: outputs }, () => newName(opType.toLowerCase()));
    nodes.push({ opType, inputs, outputs: outs, attrs });
    return outs;
  };
  let nName: string | undefined;
  const dynamicN = () => {
    if (nName) return nName;
    const src = p.inputs.find((i) => i.shape.includes(null))!;
    const shape = node("Shape", [src.name])[0]!;
    nName = node("Gather", [shape, constant("int64", [1], [src.shape.indexOf(null)])], { axis: { i: 0 } })[0]!;
    return nName;
  };
  const int64s = (values: readonly (number | DimExpr)[]) => {
    if (values.every((v) => !isDimExpr(v))) return constant("int64", [values.length], values as number[]);
    const parts = values.map((v) => {
      if (!isDimExpr(v)) return constant("int64", [1], [v]);
      const [m, a] = v.$dim;
      const scaled = m === 1 ? dynamicN() : node("Mul", [dynamicN(), constant("int64", [1], [m])])[0]!;
      return a === 0 ? scaled : node("Add", [scaled, constant("int64", [1], [a])])[0]!;
    });
    return node("Concat", parts, { axis: { i: 0 } })[0]!;
  };
  const specOf = new Map<number, ProgramValue>();
  for (const i of p.inputs) specOf.set(i.id, i);
  for (const v of p.variables) specOf.set(v.id, { id: v.id, shape: v.tensor.shape, dtype: v.tensor.dtype });
  for (const c of p.constants) specOf.set(c.id, c);
  const unmapped: string[] = [];
  p.nodes.forEach((n, k) => {
    const map = onnxMappings[n.op];
    const where = `${n.op} (node ${k}: ${n.inputs.map((id) => specOf.get(id)!.dtype + "[" + specOf.get(id)!.shape.map((d) => d ?? DIM_NAME).join(",") + "]").join(", ")} ${JSON.stringify(n.attrs)})`;
    for (const o of n.outputs) specOf.set(o.id, o);
    if (!map) return void unmapped.push(`${where}: no ONNX mapping and no decomposition`);
    const ctx: MapContext = { inputs: n.inputs.map((id) => names.get(id) ?? "?"), inSpecs: n.inputs.map((id) => specOf.get(id)!), outSpecs: n.outputs, attrs: n.attrs, opset, node, constant, int64s };
    try {
      const outs = map(ctx);
      n.outputs.forEach((o, i) => names.set(o.id, outs[i]!));
    } catch (e) {
      if (!(e instanceof Unmapped)) throw e;
      unmapped.push(`${where}: ${e.message}`);
      n.outputs.forEach((o) => names.set(o.id, "?"));
    }
  });
  if (unmapped.length) throw new OnnxExportError(unmapped);
  const outputs = p.outputs.map((o, i) => {
    const name = `output_${i}`;
    nodes.push({ opType: "Identity", inputs: [names.get(o.id)!], outputs: [name] });
    return { name, dtype: onnxDType(o.dtype), dims: dimsOf(o.shape) };
  });
  return encodeOnnxModel({
    irVersion,
    opset,
    producer: "eager",
    graphName: "main",
    nodes,
    initializers,
    inputs: p.inputs.map((i) => ({ name: i.name, dtype: onnxDType(i.dtype), dims: dimsOf(i.shape) })),
    outputs,
  });
}

/**
 * Export `target` (a function, a Network or a loaded SavedModel) as ONNX bytes.
 * @example const bytes = await onnx.exportModel(net, { inputSignature: [{ shape: [null, 784] }] });
 */
export async function exportModel(target: ExportTarget | SavedModel, options: OnnxExportOptions = {}): Promise<Uint8Array> {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17) throw new InvalidArgumentError(`onnx.exportModel: opset must be an integer >= 17, got ${opset}`);
  let fn: ExportTarget = target as ExportTarget;
  let signature = options.inputSignature;
  if (target instanceof SavedModel) {
    fn = (...xs: Tensor[]) => target.predict(...xs);
    signature ??= target.inputSignature.map((s) => ({ shape: s.shape, dtype: s.dtype as DType, name: s.name }));
  }
  const program = traceProgram(fn, signature as NonNullable<typeof signature>, "onnx.exportModel", expandForOnnx);
  return programToOnnx(program, opset, options.irVersion ?? 8);
}

/** Export `target` to the file `path` (Node); returns the path. */
export async function saveModel(target: ExportTarget | SavedModel, path: string, options: OnnxExportOptions = {}): Promise<string> {
  const bytes = await exportModel(target, options);
  await platform.writeFile(path, bytes, false);
  return path;
}
