/**
 * model.json, version 1: the program of a saved model, as plain JSON. Every field is validated
 * on load with an error naming the field; sizes are bounded before anything is allocated.
 * Weights (variables by name, constants as `__constant__/<id>`) live in weights.safetensors.
 *
 * ```
 * { "format": "eager-saved-model", "version": 1,
 *   "inputs":    [{ "id", "name", "shape": [null | size, ...], "dtype" }],
 *   "variables": [{ "id", "name", "shape", "dtype" }],
 *   "constants": [{ "id", "shape", "dtype" }],
 *   "nodes":     [{ "op", "inputs": [id, ...], "attrs", "outputs": [{ "id", "shape", "dtype" }] }],
 *   "outputs":   [{ "id", "shape", "dtype" }] }
 * ```
 * A null dim is the dynamic size N (all null dims share it); an attr value `{ "$dim": [m, a] }` is m * N + a.
 */
import type { DType } from "../dtype.js";
import { EagerError } from "../errors.js";
import { opTable, type OpName } from "../ops/table.js";
import type { Dim, ProgramValue } from "./program.js";

/** A saved model's files are malformed, too large, or do not fit together. */
export class SavedModelError extends EagerError {}

export const SAVED_MODEL_FORMAT = "eager-saved-model";
export const SAVED_MODEL_VERSION = 1;
/** Limits checked on load. */
export const LIMITS = { modelJsonBytes: 64 * 1024 * 1024, nodes: 1_000_000, rank: 32, dim: 2 ** 31 - 1, weightsBytes: 4 * 1024 ** 3, attrDepth: 8 } as const;

/** model.json as written. */
export interface ModelJSON {
  readonly format: typeof SAVED_MODEL_FORMAT;
  readonly version: typeof SAVED_MODEL_VERSION;
  readonly inputs: readonly (ProgramValue & { readonly name: string })[];
  readonly variables: readonly (ProgramValue & { readonly name: string; readonly shape: readonly number[] })[];
  readonly constants: readonly (ProgramValue & { readonly shape: readonly number[] })[];
  readonly nodes: readonly { readonly op: OpName; readonly inputs: readonly number[]; readonly attrs: unknown; readonly outputs: readonly ProgramValue[] }[];
  readonly outputs: readonly ProgramValue[];
}

const DTYPES: readonly DType[] = ["float32", "int32", "bool", "float64"];
const fail = (msg: string): never => {
  throw new SavedModelError(`model.json: ${msg}`);
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function arr(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) return fail(`${path} must be an array`);
  if (v.length > max) fail(`${path} has ${v.length} entries, more than the limit of ${max}`);
  return v;
}
function dims(v: unknown, path: string, dynamic: boolean): Dim[] {
  return arr(v, path, LIMITS.rank).map((d, i) => {
    if (d === null && dynamic) return null;
    if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > LIMITS.dim) fail(`${path}[${i}] must be a size in [0, ${LIMITS.dim}]${dynamic ? " or null" : ""}, got ${JSON.stringify(d)}`);
    return d as number;
  });
}
function value(v: unknown, path: string, dynamic: boolean): ProgramValue {
  if (!isObj(v)) return fail(`${path} must be an object`);
  if (!Number.isInteger(v.id) || (v.id as number) < 0) fail(`${path}.id must be a non-negative integer`);
  if (!DTYPES.includes(v.dtype as DType)) fail(`${path}.dtype must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(v.dtype)}`);
  return { id: v.id as number, dtype: v.dtype as DType, shape: dims(v.shape, `${path}.shape`, dynamic) };
}
function name(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0 || v.length > 1024) return fail(`${path} must be a non-empty string of at most 1024 characters`);
  return v;
}
function attrs(v: unknown, path: string, depth: number): void {
  if (depth > LIMITS.attrDepth) fail(`${path} nests deeper than ${LIMITS.attrDepth} levels`);
  if (isObj(v) && "$dim" in v) {
    const d = v.$dim;
    if (Object.keys(v).length !== 1 || !Array.isArray(d) || d.length !== 2 || !d.every(Number.isSafeInteger)) fail(`${path}.$dim must be [mul, add], two integers`);
  } else if (Array.isArray(v)) v.forEach((x, i) => attrs(x, `${path}[${i}]`, depth + 1));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) attrs(x, `${path}.${k}`, depth + 1);
  else if (!(v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean")) fail(`${path} has an unsupported value`);
}

/**
 * Validate parsed model.json: fields, types, limits, known ops, and ids that are defined once
 * before use. Returns it typed; throws SavedModelError naming the first problem.
 */
export function validateModelJSON(j: unknown): ModelJSON {
  if (!isObj(j)) return fail("must be a JSON object");
  if (j.format !== SAVED_MODEL_FORMAT) fail(`format must be "${SAVED_MODEL_FORMAT}", got ${JSON.stringify(j.format)}`);
  if (j.version !== SAVED_MODEL_VERSION) fail(`version ${JSON.stringify(j.version)} is not supported (this build reads version ${SAVED_MODEL_VERSION})`);
  const defined = new Set<number>();
  const define = (id: number, path: string) => {
    if (defined.has(id)) fail(`${path}.id ${id} is defined twice`);
    defined.add(id);
  };
  const inputs = arr(j.inputs, "inputs", 1024).map((v, i) => {
    const p = `inputs[${i}]`;
    const out = { ...value(v, p, true), name: name((v as Record<string, unknown>).name, `${p}.name`) };
    define(out.id, p);
    return out;
  });
  const variables = arr(j.variables, "variables", LIMITS.nodes).map((v, i) => {
    const p = `variables[${i}]`;
    const out = { ...value(v, p, false), name: name((v as Record<string, unknown>).name, `${p}.name`) } as ModelJSON["variables"][number];
    define(out.id, p);
    return out;
  });
  const constants = arr(j.constants, "constants", LIMITS.nodes).map((v, i) => {
    const out = value(v, `constants[${i}]`, false) as ModelJSON["constants"][number];
    define(out.id, `constants[${i}]`);
    return out;
  });
  const nodes = arr(j.nodes, "nodes", LIMITS.nodes).map((n, i) => {
    const p = `nodes[${i}]`;
    if (!isObj(n)) return fail(`${p} must be an object`);
    if (typeof n.op !== "string" || !Object.prototype.hasOwnProperty.call(opTable, n.op)) fail(`${p}.op ${JSON.stringify(n.op)} is not an op of this build`);
    const ins = arr(n.inputs, `${p}.inputs`, 1 << 16).map((id, k) => {
      if (!defined.has(id as number)) fail(`${p}.inputs[${k}] refers to value ${JSON.stringify(id)}, which is not defined before it`);
      return id as number;
    });
    attrs(n.attrs, `${p}.attrs`, 0);
    const outs = arr(n.outputs, `${p}.outputs`, 64).map((o, k) => value(o, `${p}.outputs[${k}]`, true));
    for (const [k, o] of outs.entries()) define(o.id, `${p}.outputs[${k}]`);
    return { op: n.op as OpName, inputs: ins, attrs: n.attrs, outputs: outs };
  });
  const outputs = arr(j.outputs, "outputs", 1024).map((o, i) => {
    const v = value(o, `outputs[${i}]`, true);
    if (!defined.has(v.id)) fail(`outputs[${i}] refers to value ${v.id}, which is not defined`);
    return v;
  });
  return { format: SAVED_MODEL_FORMAT, version: SAVED_MODEL_VERSION, inputs, variables, constants, nodes, outputs };
}
