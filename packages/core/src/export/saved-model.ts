/**
 * Saved models: `saveModel` writes a folder with model.json (the program, see
 * saved-model-schema.ts) and weights.safetensors (variables by name); `loadModel` reads one back
 * from a folder (Node), a URL (fetch) or bytes, and returns a `SavedModel` that runs on any
 * registered device without the source. Loading executes nothing from the files.
 */
import { platform } from "#platform";
import { tensor, variable } from "../api/creation.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { opTable } from "../ops/table.js";
import type { OpDef, TensorSpec } from "../ops/def.js";
import { shapesEqual, shapeStr } from "../shape.js";
import { Tensor, type TensorLike, type Variable } from "../tensor.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorEntry } from "../train/safetensors.js";
import { traceProgram, resolveAttrs, type ExportTarget, type InputSpec, type Program } from "./program.js";
import { runProgram } from "./run-program.js";
import { LIMITS, SAVED_MODEL_FORMAT, SAVED_MODEL_VERSION, SavedModelError, validateModelJSON, type ModelJSON } from "./saved-model-schema.js";

/** Options of `saveModel` and the ONNX exporter. */
export interface ExportOptions {
  /** One spec per input; null dims are the dynamic size N (e.g. the batch). */
  readonly inputSignature: readonly InputSpec[];
}
/** A saved model's two files as bytes. */
export interface SavedModelBytes {
  readonly modelJson: Uint8Array;
  readonly weights: Uint8Array;
}
const CONST_PREFIX = "__constant__/";

/** A loaded (or traced) program with its own weights: callable with `predict`. */
export class SavedModel {
  private readonly values: Map<string, Variable>;
  private constructor(readonly program: Program) {
    this.values = new Map(program.variables.map((v) => [v.name, v.tensor as Variable]));
  }
  /** @internal Wrap a program whose variables are this model's own. */
  static _fromProgram(program: Program): SavedModel {
    return new SavedModel(program);
  }
  /** The inputs: name, shape (null = dynamic) and dtype. */
  get inputSignature(): readonly { name: string; shape: readonly (number | null)[]; dtype: string }[] {
    return this.program.inputs.map((i) => ({ name: i.name, shape: i.shape, dtype: i.dtype }));
  }
  /** The outputs' shapes (null = dynamic) and dtypes. */
  get outputs(): readonly { shape: readonly (number | null)[]; dtype: string }[] {
    return this.program.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
  }
  /** The weights by name ("dense_1/kernel"), in program order. */
  namedVariables(): [string, Variable][] {
    return [...this.values];
  }
  /** Run the model: one output gives a tensor, several an array. Inputs are not consumed. */
  predict(...inputs: TensorLike[]): Tensor | Tensor[] {
    const ts = inputs.map((x, i) => (x instanceof Tensor ? x : tensor(x, undefined, this.program.inputs[i]?.dtype)));
    try {
      const outs = runProgram(this.program, this.values, ts, "SavedModel.predict");
      return outs.length === 1 ? outs[0]! : outs;
    } finally {
      ts.forEach((t, i) => t !== inputs[i] && t.dispose());
    }
  }
  /**
   * Assign this model's weights from a checkpoint written by eager training
   * (`new Checkpoint({ model: net }).save(...)`): each weight reads `${key}/${name}`. All values
   * are checked before any is assigned; other entries (an optimizer's) are ignored.
   */
  restoreCheckpoint(bytes: Uint8Array, key = "model"): void {
    const { tensors } = decodeSafetensors(bytes);
    const found = [...this.values].map(([name, v]) => {
      const e = tensors.get(`${key}/${name}`);
      if (!e) throw new SavedModelError(`restoreCheckpoint: the checkpoint has no value for "${key}/${name}"`);
      if (e.dtype !== v.dtype || !shapesEqual(e.shape, v.shape)) throw new SavedModelError(`restoreCheckpoint: "${key}/${name}" is ${e.dtype}${shapeStr(e.shape)} in the checkpoint but ${v.dtype}${shapeStr(v.shape)} here`);
      return [v, e] as const;
    });
    for (const [v, e] of found) {
      const t = tensor(e.values, e.shape, e.dtype);
      v.assign(t);
      t.dispose();
    }
  }
  /** This model's weights as a checkpoint that `new Checkpoint({ [key]: net }).fromBytes` restores into the eager network. */
  async checkpointBytes(key = "model"): Promise<Uint8Array> {
    const entries = new Map<string, SafetensorEntry>();
    for (const [name, v] of this.values) entries.set(`${key}/${name}`, { dtype: v.dtype, shape: v.shape, values: await v.data() });
    return encodeSafetensors(entries, { format: "eager-checkpoint", version: "1" });
  }
  /** Free the weights. */
  dispose(): void {
    for (const v of this.values.values()) v.dispose();
  }
}

async function programBytes(p: Program): Promise<SavedModelBytes> {
  const entries = new Map<string, SafetensorEntry>();
  for (const v of p.variables) entries.set(v.name, { dtype: v.tensor.dtype, shape: v.tensor.shape, values: await v.tensor.data() });
  for (const c of p.constants) entries.set(`${CONST_PREFIX}${c.id}`, { dtype: c.dtype, shape: c.shape, values: c.values });
  const json: ModelJSON = {
    format: SAVED_MODEL_FORMAT,
    version: SAVED_MODEL_VERSION,
    inputs: p.inputs,
    variables: p.variables.map((v) => ({ id: v.id, name: v.name, shape: v.tensor.shape, dtype: v.tensor.dtype })),
    constants: p.constants.map((c) => ({ id: c.id, shape: c.shape, dtype: c.dtype })),
    nodes: p.nodes,
    outputs: p.outputs,
  };
  return { modelJson: new TextEncoder().encode(JSON.stringify(json)), weights: encodeSafetensors(entries, { format: SAVED_MODEL_FORMAT }) };
}

/** The program of a target: a SavedModel's own, else traced for the signature. */
export function programOf(target: ExportTarget | SavedModel, options: ExportOptions | undefined, what: string): Program {
  if (target instanceof SavedModel) return target.program;
  return traceProgram(target, options?.inputSignature as readonly InputSpec[], what);
}

/**
 * Trace `target` (a function or a Network) for `options.inputSignature` and return the saved
 * model's files as bytes. A SavedModel is written with its current weights.
 */
export async function saveModelToBytes(target: ExportTarget | SavedModel, options?: ExportOptions): Promise<SavedModelBytes> {
  return programBytes(programOf(target, options, "saveModel"));
}

/**
 * Write `target` as a saved model into the folder `path` (Node): model.json and weights.safetensors.
 * @example await saveModel(net, "out/mnist", { inputSignature: [{ shape: [null, 784] }] });
 */
export async function saveModel(target: ExportTarget | SavedModel, path: string, options?: ExportOptions): Promise<string> {
  const files = await saveModelToBytes(target, options);
  await platform.writeFile(platform.joinPath(path, "model.json"), files.modelJson, false);
  await platform.writeFile(platform.joinPath(path, "weights.safetensors"), files.weights, false);
  return path;
}

/** Check that every node's shape rule accepts its inputs at N = 1 and agrees with the file. */
function checkShapes(p: Program): void {
  const specs = new Map<number, TensorSpec>();
  const n = 1;
  const at = (s: readonly (number | null)[]) => s.map((d) => d ?? n);
  for (const i of p.inputs) specs.set(i.id, { shape: at(i.shape), dtype: i.dtype });
  for (const v of p.variables) specs.set(v.id, { shape: v.tensor.shape, dtype: v.tensor.dtype });
  for (const c of p.constants) specs.set(c.id, { shape: c.shape, dtype: c.dtype });
  p.nodes.forEach((node, k) => {
    const def = opTable[node.op] as unknown as OpDef<unknown>;
    let outs: TensorSpec[];
    try {
      const ins = node.inputs.map((id) => specs.get(id)!);
      const attrs = resolveAttrs(node.attrs, n);
      outs = def.infer(ins, attrs, def.plan?.(ins, attrs));
    } catch (e) {
      throw new SavedModelError(`model.json: nodes[${k}] (${node.op}) does not fit its inputs: ${(e as Error).message}`);
    }
    if (outs.length !== node.outputs.length) throw new SavedModelError(`model.json: nodes[${k}] (${node.op}) has ${node.outputs.length} outputs but the op gives ${outs.length}`);
    node.outputs.forEach((o, j) => {
      const got = outs[j]!;
      const ok = got.dtype === o.dtype && got.shape.length === o.shape.length && o.shape.every((d, i) => d === null || d === got.shape[i]);
      if (!ok) throw new SavedModelError(`model.json: nodes[${k}].outputs[${j}] says ${o.dtype}${shapeStr(o.shape.map((d) => d ?? -1))} but ${node.op} gives ${got.dtype}${shapeStr(got.shape)}`);
      specs.set(o.id, got);
    });
  });
}

/** Build a SavedModel from its two files' bytes, validating both fully first. */
export function loadModelFromBytes(files: SavedModelBytes): SavedModel {
  if (files.modelJson.length > LIMITS.modelJsonBytes) throw new SavedModelError(`model.json: ${files.modelJson.length} bytes, more than the limit of ${LIMITS.modelJsonBytes}`);
  if (files.weights.length > LIMITS.weightsBytes) throw new SavedModelError(`weights.safetensors: ${files.weights.length} bytes, more than the limit of ${LIMITS.weightsBytes}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(files.modelJson));
  } catch (e) {
    throw new SavedModelError(`model.json: not valid JSON (${(e as Error).message})`);
  }
  const j = validateModelJSON(parsed);
  const { tensors } = decodeSafetensors(files.weights);
  const entry = (key: string, shape: readonly number[], dtype: string, what: string): SafetensorEntry => {
    const e = tensors.get(key);
    if (!e) throw new SavedModelError(`weights.safetensors: no value for ${what} "${key}"`);
    if (e.dtype !== dtype || !shapesEqual(e.shape, shape)) throw new SavedModelError(`weights.safetensors: "${key}" is ${e.dtype}${shapeStr(e.shape)} but model.json says ${dtype}${shapeStr(shape)}`);
    return e;
  };
  const varEntries = j.variables.map((v) => entry(v.name, v.shape, v.dtype, "variable"));
  const constants = j.constants.map((c) => ({ id: c.id, shape: c.shape, dtype: c.dtype, values: entry(`${CONST_PREFIX}${c.id}`, c.shape, c.dtype, "constant").values }));
  const variables = j.variables.map((v, i) => {
    const e = varEntries[i]!;
    const t = tensorFromHost(e.values, e.shape, e.dtype);
    const vv = variable(t, { name: v.name, trainable: true });
    t.dispose();
    return { id: v.id, name: v.name, tensor: vv };
  });
  const program: Program = { inputs: j.inputs, variables, constants, nodes: j.nodes, outputs: j.outputs };
  try {
    checkShapes(program);
  } catch (e) {
    for (const v of variables) v.tensor.dispose();
    throw e;
  }
  return SavedModel._fromProgram(program);
}

async function fetchBytes(url: string, limit: number): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new SavedModelError(`loadModel: ${url} answered ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limit) throw new SavedModelError(`loadModel: ${url} is ${declared} bytes, more than the limit of ${limit}`);
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(await res.arrayBuffer());
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new SavedModelError(`loadModel: ${url} is more than the limit of ${limit} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

async function readFileBounded(path: string, limit: number): Promise<Uint8Array> {
  let size: number;
  try {
    size = await platform.fileSize(path);
  } catch (e) {
    throw new SavedModelError(`loadModel: cannot read "${path}": ${(e as Error).message}`);
  }
  if (size > limit) throw new SavedModelError(`loadModel: "${path}" is ${size} bytes, more than the limit of ${limit}`);
  return platform.readFile(path);
}

/**
 * Load a saved model from a folder path (Node), a URL of the folder (fetch: `<url>/model.json`
 * and `<url>/weights.safetensors`; in a browser a path is a URL relative to the page), or the
 * two files' bytes.
 * @example const model = await loadModel("out/mnist"); const y = model.predict(x);
 */
export async function loadModel(source: string | URL | SavedModelBytes): Promise<SavedModel> {
  if (typeof source === "object" && !(source instanceof URL)) return loadModelFromBytes(source);
  let s = String(source);
  // In a browser a path is relative to the page.
  const loc = (globalThis as { location?: { href: string } }).location;
  if (loc && !/^[a-z][a-z0-9+.-]*:/i.test(s)) s = new URL(s, loc.href).href;
  if (/^(https?|data|blob):/i.test(s)) {
    const base = s.endsWith("/") ? s : `${s}/`;
    const [modelJson, weights] = await Promise.all([fetchBytes(`${base}model.json`, LIMITS.modelJsonBytes), fetchBytes(`${base}weights.safetensors`, LIMITS.weightsBytes)]);
    return loadModelFromBytes({ modelJson, weights });
  }
  const dir = s.startsWith("file:") ? platform.pathFromUrl(s) : s;
  const [modelJson, weights] = await Promise.all([readFileBounded(platform.joinPath(dir, "model.json"), LIMITS.modelJsonBytes), readFileBounded(platform.joinPath(dir, "weights.safetensors"), LIMITS.weightsBytes)]);
  return loadModelFromBytes({ modelJson, weights });
}
