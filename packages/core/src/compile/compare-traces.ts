/**
 * Whether two traces of one function at different sizes of its `null` dimensions are the same
 * program: same ops, inputs, dtypes, captured constants, host steps and results, with numbers
 * (attributes, shapes, integer scalar literals) either linear in the size or equal.
 */
import type { DType } from "../dtype.js";
import type { Tensor, Variable } from "../tensor.js";
import { readStorageSync } from "../engine/transfer.js";
import type { HostStep, TraceNode } from "./builder.js";

/** How much larger the probe's size is: a large prime, so that S/2-like relations do not fit a line. */
export const PROBE_STEP = 9973;

/** Largest constant read back to compare the two traces' captured tensors. */
const MAX_COMPARED = 1 << 20;

/**
 * How numbers of the two traces must relate. "linear": the second trace is at `s + PROBE_STEP`
 * and each number that differs must be an integer line a*size + b. "equal": every number equal,
 * shapes included. "equal-but-shapes": every number equal except in value shapes (which a
 * program takes from its run), for traces whose sizes are not one size that a line could follow.
 */
export type NumberRule = "linear" | "equal" | "equal-but-shapes";

/** What a comparison reads of a trace: a TraceBuilder, or one rebuilt for another size. */
export interface TraceLike {
  readonly nodes: readonly TraceNode[];
  readonly args: readonly { readonly id: number; readonly shape: readonly number[]; readonly dtype: DType }[];
  readonly varsRead: readonly Variable[];
  readonly varState: ReadonlyMap<Variable, number>;
  readonly written: readonly Variable[];
  readonly constants: ReadonlyMap<number, Tensor>;
  readonly host: readonly HostStep[];
  readonly effects: readonly number[];
  isDraw(node: TraceNode): boolean;
}

/** A number that differs between the two traces (an integer scalar literal), by constant id of the first. */
export type Pair = { v1: number; v2: number };

/** A constant of one value throughout whose shape follows the size (an initial state of [batch, units] zeros). */
export type Filled = { value: number; v1: readonly number[]; v2: readonly number[] };

/** What a "linear" comparison found: the constants to recompute per size, and whether any number differed. */
export interface Comparison {
  readonly literals: ReadonlyMap<number, Pair>;
  readonly filled: ReadonlyMap<number, Filled>;
  readonly varies: boolean;
}

/** The comparison in progress: its rule, and whether a number differed between the two traces. */
const comparing = { differed: false, rule: "linear" as NumberRule };

/** Do `v1` (first trace) and `v2` (second) agree under the rule (for "linear": a line a*size + b with integer a and b)? */
function fits(v1: number, v2: number): boolean {
  if (Object.is(v1, v2)) return true;
  comparing.differed = true;
  if (comparing.rule !== "linear" || !Number.isInteger(v1) || !Number.isInteger(v2)) return false;
  const a = (v2 - v1) / PROBE_STEP;
  // |a| >= PROBE_STEP is what an integer polynomial of higher degree (S*S: a = 2S + step) looks like.
  return Number.isInteger(a) && Math.abs(a) < PROBE_STEP;
}

/** The line through (s, v1) and (s + PROBE_STEP, v2), at `size`. */
export function at(v1: number, v2: number, s: number, size: number): number {
  if (Object.is(v1, v2)) return v1;
  const a = (v2 - v1) / PROBE_STEP;
  return a * size + (v1 - a * s);
}

export function plain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** `alike` for value shapes: a program takes its values' shapes from the run, so these alone need no rebuild. */
function alikeShape(x: readonly number[], y: readonly number[]): boolean {
  if (comparing.rule === "equal-but-shapes") return x.length === y.length;
  const before = comparing.differed;
  const ok = alike(x, y);
  comparing.differed = before;
  return ok;
}

/** Whether two attribute values agree under the rule. */
function alike(x: unknown, y: unknown): boolean {
  if (typeof x === "number" && typeof y === "number") return fits(x, y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => alike(v, y[i]));
  if (plain(x) && plain(y)) {
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    return kx.length === ky.length && kx.every((k, i) => k === ky[i] && alike(x[k], y[k]));
  }
  if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
    const a = x as unknown as ArrayLike<number>;
    const b = y as unknown as ArrayLike<number>;
    return a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
  }
  return Object.is(x, y);
}

function values(t: Tensor): ArrayLike<number> | null {
  const st = t._storage;
  if (st === null || t.size > MAX_COMPARED || !st.backend.capabilities.syncRead) return null;
  return readStorageSync(st, "compile: comparing constants") as unknown as ArrayLike<number>;
}

/**
 * Compare the trace `b1` with `b2` (traced at other sizes), with the output ids of each, under
 * `rule`. Null when they differ in anything the rule does not allow; "unreadable" when a
 * constant made by one of them cannot be read back (a device without synchronous reads, or
 * over 2^20 elements): then nothing is learned.
 */
export function compareTraces(b1: TraceLike, out1: readonly number[], b2: TraceLike, out2: readonly number[], rule: NumberRule): Comparison | null | "unreadable" {
  comparing.rule = rule;
  comparing.differed = false;
  const map = new Map<number, number>();
  const link = (i2: number, i1: number): boolean => {
    const had = map.get(i2);
    if (had !== undefined) return had === i1;
    map.set(i2, i1);
    return true;
  };
  const same = (ids2: readonly number[], ids1: readonly number[]): boolean => ids2.length === ids1.length && ids2.every((id, i) => map.get(id) === ids1[i]);
  // Arguments, variables, constants, host steps: in order.
  if (b1.args.length !== b2.args.length) return null;
  for (let i = 0; i < b1.args.length; i++) {
    const [x, y] = [b1.args[i]!, b2.args[i]!];
    if (x.dtype !== y.dtype || !alikeShape(x.shape, y.shape) || !link(y.id, x.id)) return null;
  }
  if (b1.varsRead.length !== b2.varsRead.length || b1.varsRead.some((v, i) => v !== b2.varsRead[i])) return null;
  for (const v of b1.varsRead) link(v.id, v.id);
  const c1 = [...b1.constants];
  const c2 = [...b2.constants];
  if (c1.length !== c2.length) return null;
  const literals = new Map<number, Pair>();
  const filled = new Map<number, Filled>();
  for (let i = 0; i < c1.length; i++) {
    const [[id1, t1], [id2, t2]] = [c1[i]!, c2[i]!];
    if (t1.dtype !== t2.dtype || !link(id2, id1)) return null;
    if (t1._storage === t2._storage) continue;
    const [x, y] = [values(t1), values(t2)];
    if (x === null || y === null) return "unreadable";
    if (t1.shape.length !== t2.shape.length || t1.shape.some((d, k) => d !== t2.shape[k])) {
      const v = x[0];
      const one = (a: ArrayLike<number>) => Array.prototype.every.call(a, (u: number) => Object.is(u, v));
      if (rule !== "linear" || x.length === 0 || y.length === 0 || !alike(t1.shape, t2.shape) || !one(x) || !one(y)) return null;
      filled.set(id1, { value: v!, v1: t1.shape, v2: t2.shape });
      continue;
    }
    if (x.length !== y.length) return null;
    if (Array.prototype.every.call(x, (v: number, k: number) => Object.is(v, y[k]))) continue;
    // Only an integer scalar literal may follow the size.
    if (t1.size !== 1 || !fits(x[0]!, y[0]!)) return null;
    literals.set(id1, { v1: x[0]!, v2: y[0]! });
  }
  if (b1.host.length !== b2.host.length) return null;
  for (let i = 0; i < b1.host.length; i++) {
    const [h1, h2] = [b1.host[i]!, b2.host[i]!];
    if (h1.kind !== h2.kind) return null;
    if (h1.kind === "scalar" && h2.kind === "scalar" && (h1.dtype !== h2.dtype || !link(h2.id, h1.id))) return null;
  }
  // Nodes: same op, inputs, dtypes; attrs and shapes under the rule.
  if (b1.nodes.length !== b2.nodes.length) return null;
  for (let i = 0; i < b1.nodes.length; i++) {
    const [n1, n2] = [b1.nodes[i]!, b2.nodes[i]!];
    const draw = b1.isDraw(n1);
    if (n1.op !== n2.op || draw !== b2.isDraw(n2) || (!draw && n1.def !== n2.def)) return null;
    // Control flow runs bodies traced at one size; a draw's closure keeps its shape: both must not change.
    if (n1.run && !draw) return null;
    if (n1.outputs.length !== n2.outputs.length || !same(n2.inputs, n1.inputs)) return null;
    if (draw) {
      const exact = (n: TraceNode): string => JSON.stringify([{ ...(n.attrs as object), draw: 0 }, n.outputs.map((o) => [o.shape, o.dtype])]);
      if (exact(n1) !== exact(n2)) return null;
    } else if (!alike(n1.attrs, n2.attrs)) return null;
    for (let k = 0; k < n1.outputs.length; k++) {
      const [o1, o2] = [n1.outputs[k]!, n2.outputs[k]!];
      if (o1.dtype !== o2.dtype || !alikeShape(o1.shape, o2.shape) || !link(o2.id, o1.id)) return null;
    }
  }
  // Results, writes, effects: the same values.
  if (!same(out2, out1) || !same(b2.effects, b1.effects)) return null;
  if (b1.written.length !== b2.written.length || b1.written.some((v, i) => v !== b2.written[i])) return null;
  if (!same(b1.written.map((v) => b2.varState.get(v)!), b1.written.map((v) => b1.varState.get(v)!))) return null;
  return { literals, filled, varies: comparing.differed };
}
