/**
 * Tracing: the same op calls, run on symbolic tensors (shape and dtype, no data), append
 * nodes to a graph instead of computing. A graph is JSON-serializable (constants included)
 * and can be run again on real tensors by the ordinary dispatcher.
 */
import { type DType, type TypedArray, allocArray, bytesPerElement } from "../dtype.js";
import { EagerError, InvalidArgumentError, ShapeError } from "../errors.js";
import { base64Length, validateGraphJSON } from "./graph-check.js";
import type { OpDef, TensorSpec } from "../ops/def.js";
import { opTable, type OpName } from "../ops/table.js";
import { shapeStr, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { tensorFromHost, runOp } from "./dispatch.js";
import { readStorageSync } from "./transfer.js";
import { withFrame } from "./context.js";
import { engine, type SymbolicRecorder } from "./engine.js";

/** One node: an op-table record applied to earlier values. */
export interface GraphNode {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly attrs: unknown;
  readonly outputs: readonly { id: number; shape: readonly number[]; dtype: DType }[];
}
/** A captured concrete tensor, values base64-encoded little-endian. */
export interface GraphConstant {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly base64: string;
}
/** A traced function: inputs, nodes in execution order (SSA), constants and outputs by value id. */
export interface GraphJSON {
  readonly format: "eager-graph";
  readonly version: 1;
  readonly inputs: readonly { id: number; shape: readonly number[]; dtype: DType }[];
  readonly nodes: readonly GraphNode[];
  readonly constants: readonly GraphConstant[];
  readonly outputs: readonly number[];
}

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly constants = new Map<number, Tensor>();
  constructor(readonly expand?: (op: OpName) => boolean) {}
}
/** The trace each symbolic tensor belongs to. */
const builders = (): WeakMap<Tensor, Builder> => engine.traces as WeakMap<Tensor, Builder>;

/** Append a node for an op applied to at least one symbolic input (dispatch calls it through the engine). */
function recordSymbolic<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, specs: readonly TensorSpec[]): Tensor[] {
  let builder: Builder | undefined;
  for (const t of inputs) {
    const b = builders().get(t);
    if (!b) continue;
    if (builder && b !== builder) throw new InvalidArgumentError(`${def.name}: inputs come from two different traces`);
    builder = b;
  }
  if (!builder) throw new InvalidArgumentError(`${def.name}: a symbolic input does not belong to an active trace`);
  // Expanded ops record their decomposition; a watching tape records only the op itself.
  if (def.decompose && builder.expand?.(def.name as OpName)) return withFrame({ pauseRecording: true }, () => def.decompose!(inputs, attrs, specs));
  for (const t of inputs) {
    if (t._storage !== null && !builder.constants.has(t.id)) {
      t._retain();
      builder.constants.set(t.id, t);
    }
  }
  const outputs = specs.map((s) => {
    const o = new Tensor(null, s.shape, s.dtype, false)._keep();
    builders().set(o, builder!);
    return o;
  });
  builder.nodes.push({ op: def.name as OpName, inputs: inputs.map((t) => t.id), attrs, outputs: outputs.map((o) => ({ id: o.id, shape: o.shape, dtype: o.dtype })) });
  return outputs;
}

function toBase64(a: TypedArray): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(b64: string, dtype: DType, size: number): TypedArray {
  const n = size * bytesPerElement(dtype);
  if (b64.length !== base64Length(n)) throw new ShapeError(`graph constant: expected ${base64Length(n)} base64 characters for ${n} bytes, got ${b64.length}`);
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new InvalidArgumentError("graph constant: the base64 text is malformed");
  }
  if (s.length !== n) throw new ShapeError(`graph constant: expected ${n} bytes, got ${s.length}`);
  const out = allocArray(dtype, size);
  const bytes = new Uint8Array(out.buffer);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return out;
}

/** Example argument for `trace`: a tensor (its shape and dtype are used) or a spec. */
export type TraceArg = Tensor | { shape: readonly number[]; dtype?: DType };

/** A traced function, runnable on new inputs of the traced shapes. */
export class Graph {
  constructor(readonly json: GraphJSON) {}

  /** Rebuild a graph from `toJSON()` output (checks every op exists). */
  static fromJSON(json: GraphJSON): Graph {
    return new Graph(validateGraphJSON(json));
  }
  toJSON(): GraphJSON {
    return this.json;
  }
  /** Ops in the graph, in order. */
  get ops(): OpName[] {
    return this.json.nodes.map((n) => n.op);
  }

  /**
   * Run the graph on real tensors; returns its outputs in order. Each intermediate value is
   * freed right after its last use; if a node throws, every value made so far is freed.
   */
  run(...inputs: Tensor[]): Tensor[] {
    const g = this.json;
    if (inputs.length !== g.inputs.length) throw new InvalidArgumentError(`Graph.run: expected ${g.inputs.length} inputs, got ${inputs.length}`);
    g.inputs.forEach((spec, i) => {
      const t = inputs[i]!;
      if (!(t instanceof Tensor) || !shapesEqual(t.shape, spec.shape) || t.dtype !== spec.dtype)
        throw new ShapeError(`Graph.run: input ${i} must be ${spec.dtype}${shapeStr(spec.shape)}, got ${t instanceof Tensor ? t.describe() : typeof t}`);
    });
    const plan = lastUses(g);
    const env = new Map<number, Tensor>();
    const owned = new Set<Tensor>();
    g.inputs.forEach((spec, i) => env.set(spec.id, inputs[i]!));
    try {
      // Constants are made at their first use, so they too live only as long as needed.
      const constants = new Map(g.constants.map((c) => [c.id, c]));
      const materialize = (id: number): void => {
        const c = constants.get(id);
        if (c === undefined || env.has(id)) return;
        const t = tensorFromHost(fromBase64(c.base64, c.dtype, c.shape.reduce((a, b) => a * b, 1)), c.shape, c.dtype);
        env.set(c.id, t);
        owned.add(t);
      };
      for (const id of g.outputs) materialize(id);
      g.nodes.forEach((n, k) => {
        for (const id of n.inputs) materialize(id);
        const outs = runNode(n, k, env);
        n.outputs.forEach((o, i) => {
          env.set(o.id, outs[i]!);
          owned.add(outs[i]!);
        });
        for (const id of plan.freeAfter[k]!) {
          const t = env.get(id)!;
          if (owned.delete(t)) t.dispose();
        }
      });
    } catch (e) {
      for (const t of owned) t.dispose();
      throw e;
    }
    const results = g.outputs.map((id) => env.get(id)!);
    for (const t of owned) if (!results.includes(t)) t.dispose();
    return results;
  }
}

/** For each node, the values whose last use it is (never the graph's outputs). */
function lastUses(g: GraphJSON): { freeAfter: number[][] } {
  const last = new Map<number, number>();
  g.nodes.forEach((n, k) => {
    for (const id of n.inputs) last.set(id, k);
    for (const o of n.outputs) if (!last.has(o.id)) last.set(o.id, k); // unused outputs die at once
  });
  for (const id of g.outputs) last.delete(id);
  const freeAfter: number[][] = g.nodes.map(() => []);
  for (const [id, k] of last) freeAfter[k]!.push(id);
  return { freeAfter };
}

/** Run one node; its outputs must be what the graph declares. */
function runNode(n: GraphNode, k: number, env: ReadonlyMap<number, Tensor>): Tensor[] {
  let outs: Tensor[];
  try {
    outs = runOp(n.op, n.inputs.map((id) => env.get(id)!), (n.attrs ?? {}) as never);
  } catch (e) {
    if (e instanceof EagerError) throw e;
    throw new InvalidArgumentError(`Graph.run: node ${k} (${n.op}) has invalid attributes: ${(e as Error).message}`);
  }
  const bad = outs.length !== n.outputs.length || n.outputs.some((o, i) => !shapesEqual(o.shape, outs[i]!.shape) || o.dtype !== outs[i]!.dtype);
  if (bad) {
    const got = outs.map((t) => t.describe()).join(", ");
    for (const t of outs) t.dispose();
    throw new ShapeError(`Graph.run: node ${k} (${n.op}) gave ${got} but the graph declares ${n.outputs.map((o) => `${o.dtype}${shapeStr(o.shape)}`).join(", ")}`);
  }
  return outs;
}

/**
 * Trace `fn` on symbolic tensors shaped like `exampleArgs` and return its graph. Tensors the
 * function captures (weights, constants) are stored in the graph as constants.
 * @example const g = trace((x) => x.square().sum(), { shape: [3] }); g.run(tensor([1, 2, 3]));
 */
export function trace(fn: (...args: Tensor[]) => Tensor | readonly Tensor[], ...exampleArgs: TraceArg[]): Graph {
  const raw = traceRaw(fn, exampleArgs);
  const constants: GraphConstant[] = [...raw.constants.values()].map((t) => ({
    id: t.id,
    shape: t.shape,
    dtype: t.dtype,
    base64: toBase64(readStorageSync(t._live("trace"), "trace: reading a captured constant")),
  }));
  for (const t of raw.constants.values()) t._unretain();
  return new Graph({ format: "eager-graph", version: 1, inputs: raw.inputs, nodes: raw.nodes, constants, outputs: raw.outputs });
}

/** A trace before its constants are read: captured tensors are retained (release each with `_unretain`). */
export interface RawTrace {
  readonly inputs: readonly { id: number; shape: readonly number[]; dtype: DType }[];
  readonly nodes: readonly GraphNode[];
  readonly constants: ReadonlyMap<number, Tensor>;
  readonly outputs: readonly number[];
}

/**
 * Trace `fn` and return its nodes and the captured tensors themselves (variables stay
 * recognizable). Optional ops for which `expand` is true are recorded as their decomposition.
 */
export function traceRaw(fn: (...args: Tensor[]) => Tensor | readonly Tensor[], exampleArgs: readonly TraceArg[], expand?: (op: OpName) => boolean): RawTrace {
  const builder = new Builder(expand);
  const inputs = exampleArgs.map((a, i) => {
    const shape = a instanceof Tensor ? a.shape : a?.shape;
    if (!Array.isArray(shape)) throw new InvalidArgumentError(`trace: example argument ${i} must be a tensor or { shape, dtype }`);
    const t = new Tensor(null, [...shape], a instanceof Tensor ? a.dtype : (a.dtype ?? "float32"), false)._keep();
    t._symbolicName = `arg${i}`;
    builders().set(t, builder);
    return t;
  });
  const out = withFrame({ tapes: [] }, () => fn(...inputs));
  const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
  for (const o of outs) {
    if (!(o instanceof Tensor)) throw new InvalidArgumentError("trace: the function must return a tensor or an array of tensors");
    if (o._storage !== null && !builder.constants.has(o.id)) {
      o._retain();
      builder.constants.set(o.id, o);
    }
  }
  return {
    inputs: inputs.map((t) => ({ id: t.id, shape: t.shape, dtype: t.dtype })),
    nodes: builder.nodes,
    constants: builder.constants,
    outputs: outs.map((o) => o.id),
  };
}

engine.symbolicRecorder = recordSymbolic as SymbolicRecorder;
