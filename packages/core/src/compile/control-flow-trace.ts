/**
 * Tracing the bodies of cond, whileLoop and scan inside a compile trace: each body becomes a
 * sub-program whose inputs are its explicit arguments followed by the tensors it captures from
 * the enclosing trace (symbolic values, variables, constants). Sub-programs cannot assign
 * variables or run host effects; they are executed on the host by the control-flow node.
 */
import type { DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpDef, TensorSpec } from "../ops/def.js";
import { Tensor, Variable } from "../tensor.js";
import { currentFrame, withFrame } from "../engine/context.js";
import { Tape } from "../engine/tape.js";
import { differentiable, runOp } from "../engine/dispatch.js";
import { engine } from "../engine/engine.js";
import { TraceBuilder } from "./builder.js";
import { Program } from "./program.js";

/** A nested structure of tensors: a tensor, or arrays and plain objects of them (other leaves are kept as values). */
export type Tree = { kind: "tensor"; index: number } | { kind: "array"; items: Tree[] } | { kind: "object"; entries: [string, Tree][] } | { kind: "value"; value: unknown };

/** Flatten `x` into its tensors (appended to `leaves`) and a description of its structure. */
export function flattenTree(x: unknown, leaves: Tensor[], what: string, depth = 0): Tree {
  if (x instanceof Tensor) return { kind: "tensor", index: leaves.push(x) - 1 };
  if (depth > 8) throw new InvalidArgumentError(`${what}: nested more than 8 levels deep`);
  if (Array.isArray(x)) return { kind: "array", items: x.map((v) => flattenTree(v, leaves, what, depth + 1)) };
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return { kind: "object", entries: Object.entries(x as object).map(([k, v]) => [k, flattenTree(v, leaves, what, depth + 1)]) };
  if (x === undefined || x === null || typeof x === "number" || typeof x === "string" || typeof x === "boolean") return { kind: "value", value: x };
  throw new InvalidArgumentError(`${what}: got ${typeof x === "object" ? (x.constructor?.name ?? "an object") : typeof x}; use tensors, or arrays and plain objects of them`);
}

/** The structure `t` with its tensors taken from `leaves`. */
export function rebuildTree(t: Tree, leaves: readonly Tensor[]): unknown {
  switch (t.kind) {
    case "tensor":
      return leaves[t.index];
    case "array":
      return t.items.map((i) => rebuildTree(i, leaves));
    case "object":
      return Object.fromEntries(t.entries.map(([k, v]) => [k, rebuildTree(v, leaves)]));
    default:
      return t.value;
  }
}

/** A readable key for a structure (equal keys: same structure). */
export function treeKey(t: Tree): string {
  switch (t.kind) {
    case "tensor":
      return "T";
    case "array":
      return `[${t.items.map(treeKey).join(",")}]`;
    case "object":
      return `{${t.entries.map(([k, v]) => `${k}:${treeKey(v)}`).join(",")}}`;
    default:
      return JSON.stringify(t.value ?? null);
  }
}

/** The builder of one body: tensors of the enclosing trace become captured inputs. */
export class SubTraceBuilder extends TraceBuilder {
  private readonly local = new Set<number>();
  private readonly captureOf = new Map<number, Tensor>();
  /** Captured tensors as the enclosing trace's code sees them (what a tape watches). */
  readonly capturedOuter: Tensor[] = [];
  /** For each capture, a handle that stays valid in the enclosing trace (the node's input). */
  readonly capturedHandles: Tensor[] = [];

  constructor(
    readonly parent: TraceBuilder,
    readonly what: string,
  ) {
    super();
    this.drawsAtTrace = false;
  }

  override arg(shape: readonly number[], dtype: DType, name: string): Tensor {
    const t = super.arg(shape, dtype, name);
    this.local.add(t.id);
    return t;
  }

  override record(def: OpDef<any>, inputs: readonly Tensor[], attrs: unknown, specs: readonly TensorSpec[], run?: (inputs: readonly Tensor[]) => Tensor[]): Tensor[] {
    const outs = super.record(def, inputs, attrs, specs, run);
    for (const o of outs) this.local.add(o.id);
    return outs;
  }

  override snapshot(v: Tensor): Tensor {
    const t = super.snapshot(v);
    this.local.add(t.id);
    return t;
  }

  override idOf(t: Tensor): number {
    if (this.local.has(t.id)) return super.idOf(t);
    let p = this.captureOf.get(t.id);
    if (!p) {
      // Resolve it in the enclosing trace now (a constant made in the body may be freed later).
      const handle = this.parent.snapshot(t);
      p = this.arg(t.shape, t.dtype, `captured ${t.describe()}`);
      this.captureOf.set(t.id, p);
      this.capturedOuter.push(t);
      this.capturedHandles.push(handle);
    }
    return super.idOf(p);
  }

  override random(name: string, shape: readonly number[], dtype: DType, stream: () => () => number, draw: (u: () => number) => Tensor): Tensor {
    // Later draws of the enclosing traces must come after this body's, which happen only when it runs.
    for (let b: TraceBuilder = this.parent; ; b = (b as SubTraceBuilder).parent) {
      b.drawsAtTrace = false;
      if (!(b instanceof SubTraceBuilder)) break;
    }
    return super.random(name, shape, dtype, stream, draw);
  }

  override hostScalar(fn: () => number, dtype: DType): Tensor {
    return this.parent.hostScalar(fn, dtype);
  }

  override onReplay(): void {
    throw new InvalidArgumentError(`${this.what}: host effects (onReplay, optimizer steps) cannot run inside cond, whileLoop or scan under compile; move them outside`);
  }

  override assign(v: Tensor): void {
    throw new InvalidArgumentError(
      `${this.what}: assigning variable ${v.describe()} inside cond, whileLoop or scan under compile is not supported; return the new value and assign it after the control flow`,
    );
  }
}

/** One traced body: its program, the structure and specs of what it returned, and what it captured. */
export interface TracedBody {
  readonly program: Program;
  readonly structure: Tree;
  readonly outSpecs: readonly TensorSpec[];
  readonly capturedOuter: readonly Tensor[];
  readonly capturedHandles: readonly Tensor[];
}

/**
 * Trace `fn` as a body under `parent`: it receives symbolic placeholders for `argSpecs`
 * (rebuilt with `build`) and runs with no tape recording (its ops belong to the sub-program).
 */
export function traceBody(parent: TraceBuilder, what: string, argSpecs: readonly TensorSpec[], fn: (args: Tensor[]) => unknown): TracedBody {
  const sub = new SubTraceBuilder(parent, what);
  const placeholders = argSpecs.map((s, i) => sub.arg(s.shape, s.dtype, `${what} arg${i}`));
  const prev = engine.compiling;
  engine.compiling = sub;
  let result: unknown;
  try {
    result = withFrame({ tapes: [], pauseRecording: false }, () => fn(placeholders));
  } finally {
    engine.compiling = prev;
  }
  const leaves: Tensor[] = [];
  const structure = flattenTree(result, leaves, what);
  const ids = leaves.map((t) => sub.idOf(t));
  const program = new Program(sub, ids, [...argSpecs, ...sub.capturedOuter.map((t) => ({ shape: t.shape, dtype: t.dtype }))]);
  return { program, structure, outSpecs: leaves.map((t) => ({ shape: t.shape, dtype: t.dtype })), capturedOuter: sub.capturedOuter, capturedHandles: sub.capturedHandles };
}

/** The union of several bodies' captures, and for each body the positions of its captures in it. */
export function unionCaptures(bodies: readonly TracedBody[]): { outer: Tensor[]; handles: Tensor[]; index: number[][] } {
  const outer: Tensor[] = [];
  const handles: Tensor[] = [];
  const pos = new Map<number, number>();
  const index = bodies.map((b) =>
    b.capturedOuter.map((t, i) => {
      let k = pos.get(t.id);
      if (k === undefined) {
        k = outer.push(t) - 1;
        handles.push(b.capturedHandles[i]!);
        pos.set(t.id, k);
      }
      return k;
    }),
  );
  return { outer, handles, index };
}

/**
 * A control-flow node's attrs: they print as `label` plus the node's first output id, so no two
 * nodes compare equal (CSE never merges them); the sub-programs live in the node's closure.
 */
export class ControlFlowAttrs {
  private node = -1;
  constructor(private readonly label: Record<string, string>) {
    Object.defineProperty(this, "node", { enumerable: false, writable: true });
    Object.defineProperty(this, "label", { enumerable: false });
  }
  /** Tag with the node's outputs (called right after the node is recorded). */
  bind(outputs: readonly Tensor[]): void {
    this.node = outputs[0]?.id ?? -1;
  }
  toJSON(): Record<string, string | number> {
    return { ...this.label, node: this.node };
  }
}

/** The op-table stand-in of a control-flow node: a name and no expression (never fused). */
export function controlFlowDef(name: string): OpDef<any> {
  return { name } as unknown as OpDef<any>;
}

/** A new handle on `t`'s storage, owned by the caller (for a body that returns its input unchanged). */
export function ownHandle(t: Tensor): Tensor {
  const s = t._live("control flow");
  s.retain();
  return new Tensor(s, t.shape, t.dtype, t._placed);
}

/** A predicate's value on the host: one element, nonzero is true. */
export function readPredicate(p: Tensor, what: string): boolean {
  if (p.size !== 1) throw new InvalidArgumentError(`${what}: the predicate must have one element, got ${p.describe()}`);
  return p.dataSync()[0] !== 0;
}

/**
 * Whether a captured tensor can receive a gradient: a float value of the trace or a variable
 * (a captured constant cannot be watched by a tape outside the body, and may already be freed).
 */
export function gradientSource(t: Tensor): boolean {
  return differentiable(t.dtype) && (t._storage === null || t instanceof Variable);
}

/** Whether some tape would record an op now. */
export function tapeRecording(): boolean {
  const f = currentFrame();
  return f.tapes.length > 0 && !f.pauseRecording;
}

function zerosLike(t: Tensor): Tensor {
  return runOp("zerosLike", [t], {})[0]!;
}

/**
 * Gradients of `fn()`'s tensors (seeded with `seeds`) with respect to `sources`, computed by
 * re-running `fn` under a tape; zeros where a source is unconnected.
 */
export function vjpOf(fn: () => unknown, sources: readonly Tensor[], seeds: readonly Tensor[], what: string): Tensor[] {
  if (sources.length === 0) return [];
  const tape = new Tape({ watchAccessedVariables: false });
  tape.watch(...sources);
  const r = tape.run(fn);
  const leaves: Tensor[] = [];
  flattenTree(r, leaves, what);
  return tape.gradient(leaves, sources, seeds).map((g, i) => g ?? zerosLike(sources[i]!));
}

