/**
 * Validation of graph JSON from outside (Graph.fromJSON): every field present with the right
 * type, op names that are the op table's own, value ids defined once and before their use,
 * outputs that exist, and constants whose base64 text has exactly the length their shape and
 * dtype need, checked before anything is decoded or allocated.
 */
import { bytesPerElement, isDType, type DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import { opTable } from "../ops/table.js";
import { ownKey } from "../own-key.js";
import { MAX_ELEMENTS } from "../shape.js";
import type { GraphJSON } from "./trace.js";

const W = "Graph.fromJSON";

function fail(msg: string): never {
  throw new InvalidArgumentError(`${W}: ${msg}`);
}
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isId = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

function list(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) fail(`${what} must be an array, got ${x === null ? "null" : typeof x}`);
  return x;
}

/** Elements of a valid shape, or a named error. */
function spec(x: unknown, what: string): { id: number; shape: number[]; dtype: DType; size: number } {
  if (!isObj(x)) fail(`${what} must be an object`);
  if (!isId(x.id)) fail(`${what}.id must be an integer >= 0, got ${JSON.stringify(x.id)}`);
  const shape = list(x.shape, `${what}.shape`);
  let size = 1;
  for (const d of shape) {
    if (!isId(d)) fail(`${what}.shape has an invalid dimension ${JSON.stringify(d)}`);
    size *= d;
  }
  if (size > MAX_ELEMENTS) fail(`${what}.shape [${shape.join(",")}] has ${size} elements, more than the limit of ${MAX_ELEMENTS}`);
  if (!isDType(x.dtype)) fail(`${what}.dtype ${JSON.stringify(x.dtype)} is not a dtype`);
  return { id: x.id, shape: shape as number[], dtype: x.dtype, size };
}

/** Length of the base64 text (with padding) that encodes `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Check graph JSON from outside; returns it typed, or throws InvalidArgumentError naming the field. */
export function validateGraphJSON(json: unknown): GraphJSON {
  if (!isObj(json) || json.format !== "eager-graph" || json.version !== 1) fail("not an eager graph (format/version missing)");
  const defined = new Set<number>();
  const define = (id: number, what: string): void => {
    if (defined.has(id)) fail(`${what} redefines value ${id}`);
    defined.add(id);
  };
  list(json.inputs, "inputs").forEach((x, i) => define(spec(x, `inputs[${i}]`).id, `inputs[${i}]`));
  list(json.constants, "constants").forEach((x, i) => {
    const c = spec(x, `constants[${i}]`);
    const b64 = (x as Record<string, unknown>).base64;
    if (typeof b64 !== "string") fail(`constants[${i}].base64 must be a string`);
    const want = base64Length(c.size * bytesPerElement(c.dtype));
    if (b64.length !== want) fail(`constants[${i}] (${c.dtype}[${c.shape.join(",")}]) needs ${want} base64 characters, got ${b64.length}`);
    define(c.id, `constants[${i}]`);
  });
  list(json.nodes, "nodes").forEach((n, i) => {
    const what = `nodes[${i}]`;
    if (!isObj(n)) fail(`${what} must be an object`);
    if (!ownKey(opTable, n.op)) fail(`${what}: unknown op ${JSON.stringify(n.op)}`);
    list(n.inputs, `${what}.inputs`).forEach((id, j) => {
      if (!isId(id) || !defined.has(id)) fail(`${what}.inputs[${j}] = ${JSON.stringify(id)} is not a value defined before it`);
    });
    if (n.attrs !== undefined && !isObj(n.attrs)) fail(`${what}.attrs must be an object`);
    const outs = list(n.outputs, `${what}.outputs`);
    if (outs.length === 0) fail(`${what} has no outputs`);
    outs.forEach((o, j) => define(spec(o, `${what}.outputs[${j}]`).id, `${what}.outputs[${j}]`));
  });
  list(json.outputs, "outputs").forEach((id, j) => {
    if (!isId(id) || !defined.has(id)) fail(`outputs[${j}] = ${JSON.stringify(id)} is not a value of the graph`);
  });
  return json as unknown as GraphJSON;
}
