/**
 * The recorder of one compile trace: ops applied to symbolic tensors or variables become nodes
 * (SSA over op-table records). Variables are inputs read by reference and assignments are
 * writes applied after a run; other concrete tensors are constants held (not copied) by the
 * program; host values read per call (`hostValue`) and host effects (`onReplay`) are kept in order.
 * Random draws without a fixed seed are nodes that draw again at every run (never merged or removed).
 */
import type { DType } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpDef, TensorSpec } from "../ops/def.js";
import type { OpName } from "../ops/table.js";
import { Tensor, Variable } from "../tensor.js";
import { engine, type CompileHooks } from "../engine/engine.js";
import { readStorageSync } from "../engine/transfer.js";
import { foldable, foldOnReference } from "./fold.js";

/** One recorded op: value ids in, value ids out. */
export interface TraceNode {
  readonly op: OpName;
  readonly def: OpDef<any>;
  readonly inputs: number[];
  readonly attrs: unknown;
  readonly outputs: readonly { id: number; shape: readonly number[]; dtype: DType }[];
  /** Set for a node the program runs on the host (cond, whileLoop, scan) instead of through dispatch. */
  readonly run?: (inputs: readonly Tensor[]) => Tensor[];
}

/** Something the host does on every run, before the program's ops: an effect, or a scalar input computed then. */
export type HostStep = { kind: "effect"; fn: () => void } | { kind: "scalar"; id: number; dtype: DType; fn: () => number };

/** Builds a program while `fn` runs on symbolic tensors. */
export class TraceBuilder implements CompileHooks {
  readonly nodes: TraceNode[] = [];
  /** Symbolic tensors of this trace (by id), and snapshot tensors standing for another value. */
  private readonly own = new Set<number>();
  private readonly alias = new Map<number, number>();
  /** Argument placeholders in order. */
  readonly args: Tensor[] = [];
  /** Variables read, with the value id of their value on entry (their own id). */
  readonly varsRead: Variable[] = [];
  /** The current value id of each variable (differs from its id after an assign in the trace). */
  readonly varState = new Map<Variable, number>();
  /** Variables assigned in the trace, in order of first assignment. */
  readonly written: Variable[] = [];
  /** Captured concrete tensors by value id (retained until the program is disposed). */
  readonly constants = new Map<number, Tensor>();
  readonly host: HostStep[] = [];
  /** Output ids of nodes that run even when nothing reads them (random draws advance the generator). */
  readonly effects: number[] = [];
  /**
   * Whether a random node takes its first run's stream while tracing, where eager code would draw
   * (so draws made only while tracing, such as lazy weight initializers, keep eager's order). A
   * body of cond, whileLoop or scan draws only when it runs, and once one has drawn, the nodes
   * after it draw when they run too (after the body's run-time draws, as eagerly).
   */
  drawsAtTrace = true;
  /**
   * A probe trace (made only to compare with the first trace at another size, never run): random
   * nodes take no stream and host effects (`hostEffect`) are recorded without running.
   */
  probing = false;
  /** Random nodes by output id, with the stream of their first run when it was taken while tracing. */
  private readonly draws = new Map<number, { node: TraceNode; first: (() => number) | null; stream: () => () => number; draw: (u: () => number) => Tensor }>();
  /** Small constants by dtype, shape and values: equal literals become one value (so CSE sees them as equal). */
  private readonly byValue = new Map<string, number>();

  private smallConstantKey(t: Tensor): string | null {
    const s = t._storage;
    if (s === null || t.size > 16 || !s.backend.capabilities.syncRead) return null;
    const values = readStorageSync(s, "compile: reading a small constant");
    return `${s.backend.name}|${t.dtype}[${t.shape.join(",")}]|${Array.from(values, (v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}`;
  }

  /** A symbolic placeholder for argument `index`. */
  arg(shape: readonly number[], dtype: DType, name: string): Tensor {
    const t = this.symbolic(shape, dtype);
    t._symbolicName = name;
    this.args.push(t);
    return t;
  }

  private symbolic(shape: readonly number[], dtype: DType): Tensor {
    const t = new Tensor(null, shape, dtype, false)._keep();
    this.own.add(t.id);
    return t;
  }

  /** The value id a tensor stands for in this trace. */
  idOf(t: Tensor): number {
    const a = this.alias.get(t.id);
    if (a !== undefined) return a;
    if (this.own.has(t.id)) return t.id;
    if (t instanceof Variable) {
      const cur = this.varState.get(t);
      if (cur !== undefined) return cur;
      this.varsRead.push(t);
      this.varState.set(t, t.id);
      return t.id;
    }
    if (t._storage === null) throw new InvalidArgumentError(`compile: ${t.describe()} is a symbolic tensor of another trace`);
    const key = this.smallConstantKey(t);
    if (key !== null) {
      const same = this.byValue.get(key);
      if (same !== undefined) return same;
      this.byValue.set(key, t.id);
    }
    if (!this.constants.has(t.id)) {
      // The program's own handle on the same storage: the owner may dispose the original.
      const storage = t._live("compile: capturing a constant");
      storage.retain();
      this.constants.set(t.id, new Tensor(storage, t.shape, t.dtype, t._placed, null)._keep());
    }
    return t.id;
  }

  record(def: OpDef<any>, inputs: readonly Tensor[], attrs: unknown, specs: readonly TensorSpec[], run?: (inputs: readonly Tensor[]) => Tensor[]): Tensor[] {
    const ids = inputs.map((t) => this.idOf(t));
    const outs = specs.map((s) => this.symbolic(s.shape, s.dtype));
    this.nodes.push({ op: def.name as OpName, def, inputs: ids, attrs, outputs: outs.map((o) => ({ id: o.id, shape: o.shape, dtype: o.dtype })), run });
    return outs;
  }

  snapshot(v: Tensor): Tensor {
    const t = new Tensor(null, v.shape, v.dtype, false)._keep();
    this.alias.set(t.id, this.idOf(v));
    return t;
  }

  assign(v: Tensor, value: Tensor): void {
    const variable = v as Variable;
    const id = this.idOf(value);
    if (!this.varState.has(variable)) this.varsRead.push(variable);
    this.varState.set(variable, id);
    if (!this.written.includes(variable)) this.written.push(variable);
  }

  /**
   * A random tensor drawn at every run: `stream()` gives the next uniform stream (advancing the
   * generator as an eager call does) and `draw(u)` makes the tensor from it.
   */
  random(name: string, shape: readonly number[], dtype: DType, stream: () => () => number, draw: (u: () => number) => Tensor): Tensor {
    const entry = { node: null as unknown as TraceNode, first: this.drawsAtTrace && !this.probing ? stream() : null, stream, draw };
    const run = (): Tensor[] => {
      const u = entry.first ?? stream();
      entry.first = null;
      return [draw(u)];
    };
    const attrs = { shape: [...shape], dtype, draw: `#${++engine.traceDraws}` };
    const [out] = this.record({ name } as OpDef<any>, [], attrs, [{ shape, dtype }], run);
    entry.node = this.nodes[this.nodes.length - 1]!;
    this.draws.set(out!.id, entry);
    this.effects.push(out!.id);
    return out!;
  }

  /** Whether `node` is a random draw of this trace. */
  isDraw(node: TraceNode): boolean {
    return node.outputs.length === 1 && this.draws.get(node.outputs[0]!.id)?.node === node;
  }

  /**
   * The value of a random node drawn now, for code that needs it concrete while tracing (a
   * variable initialized inside the trace): the node leaves the program and its value becomes a
   * constant, drawn once as eagerly. Null for any other tensor.
   */
  materialize(t: Tensor): Tensor | null {
    const d = this.draws.get(t.id);
    if (!d) return null;
    const value = d.draw(d.first ?? d.stream())._keep();
    this.draws.delete(t.id);
    this.nodes.splice(this.nodes.indexOf(d.node), 1);
    this.effects.splice(this.effects.indexOf(t.id), 1);
    this.constants.set(t.id, value);
    return value;
  }

  /** Constant folding: an op on values only runs once, on the reference backend (see fold.ts). */
  fold(op: string, inputs: readonly Tensor[], attrs: unknown): Tensor[] | null {
    return foldable(inputs) ? foldOnReference(op, inputs, attrs) : null;
  }

  /** A scalar input whose value `fn` computes on the host at every run. */
  hostScalar(fn: () => number, dtype: DType): Tensor {
    const t = this.symbolic([], dtype);
    this.host.push({ kind: "scalar", id: t.id, dtype, fn });
    return t;
  }

  /** Run `fn` on the host at every run (it already ran while tracing). */
  onReplay(fn: () => void): void {
    this.host.push({ kind: "effect", fn });
  }

  /** Release the captured constants (after a failed trace). */
  releaseConstants(): void {
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }
}

/** The builder of the trace in progress, if any. */
export function activeBuilder(): TraceBuilder | null {
  const c = engine.compiling;
  return c instanceof TraceBuilder ? c : null;
}
