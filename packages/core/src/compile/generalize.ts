/**
 * One trace for every size of a `null` dimension: a trace that bakes the traced size S is compared
 * with a probe trace at S + PROBE_STEP; when they differ only in numbers linear in the size
 * (v = a*S + b, integers), a copy of the first trace with those numbers recomputed serves any size.
 */
import type { DType } from "../dtype.js";
import { Tensor, type Variable } from "../tensor.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { readStorageSync } from "../engine/transfer.js";
import type { HostStep, TraceBuilder, TraceNode } from "./builder.js";

/** The comparison in progress: `differed` is set when a number differs between the two sizes. */
const comparing = { differed: false };

/** How much larger the probe's size is: a large prime, so that S/2-like relations do not fit a line. */
export const PROBE_STEP = 9973;

/** Largest constant read back to compare the two traces' captured tensors. */
const MAX_COMPARED = 1 << 20;

/** A numeric value that differs between the two traces, resolved per size. */
type Pair = { v1: unknown; v2: unknown };

/** What a new size needs to rebuild the first trace: numbers of both traces, to refit per size. */
export interface Generalized {
  /** The builder (its fields, as the program reads them) for size `size`. */
  instantiate(size: number): TraceBuilder;
  /** Whether any number differs between the two sizes (false: the first trace serves every size as it is). */
  readonly varies: boolean;
  /** Free the constants held for later sizes. */
  dispose(): void;
}

/** Is `v1` (at `s`) and `v2` (at `s + PROBE_STEP`) a line a*size + b with integer a and b? */
function fits(v1: number, v2: number): boolean {
  if (Object.is(v1, v2)) return true;
  comparing.differed = true;
  if (!Number.isInteger(v1) || !Number.isInteger(v2)) return false;
  const a = (v2 - v1) / PROBE_STEP;
  // |a| >= PROBE_STEP is what an integer polynomial of higher degree (S*S: a = 2S + step) looks like.
  return Number.isInteger(a) && Math.abs(a) < PROBE_STEP;
}

function at(v1: number, v2: number, s: number, size: number): number {
  if (Object.is(v1, v2)) return v1;
  const a = (v2 - v1) / PROBE_STEP;
  return a * size + (v1 - a * s);
}

function plain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** `alike` for shapes: a program takes its values' shapes from the run, so these alone need no rebuild. */
function alikeShape(x: readonly number[], y: readonly number[]): boolean {
  const before = comparing.differed;
  const ok = alike(x, y);
  comparing.differed = before;
  return ok;
}

/** Whether two attribute values agree up to numbers linear in the size (`skip`: keys not compared). */
function alike(x: unknown, y: unknown, skip: readonly string[] = []): boolean {
  if (typeof x === "number" && typeof y === "number") return fits(x, y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => alike(v, y[i]));
  if (plain(x) && plain(y)) {
    const kx = Object.keys(x).filter((k) => !skip.includes(k));
    const ky = Object.keys(y).filter((k) => !skip.includes(k));
    return kx.length === ky.length && kx.every((k, i) => k === ky[i] && alike(x[k], y[k]));
  }
  if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
    const a = x as unknown as ArrayLike<number>;
    const b = y as unknown as ArrayLike<number>;
    return a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
  }
  return Object.is(x, y);
}

/** `x` with every number that differs from `y` recomputed for `size` (shape of `alike`). */
function resolve(x: unknown, y: unknown, s: number, size: number): unknown {
  if (typeof x === "number" && typeof y === "number") return at(x, y, s, size);
  if (Array.isArray(x) && Array.isArray(y)) return x.map((v, i) => resolve(v, y[i], s, size));
  if (plain(x) && plain(y)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, k in y ? resolve(v, y[k], s, size) : v]));
  return x;
}

function values(t: Tensor): ArrayLike<number> | null {
  const st = t._storage;
  if (st === null || t.size > MAX_COMPARED || !st.backend.capabilities.syncRead) return null;
  return readStorageSync(st, "compile: comparing constants") as unknown as ArrayLike<number>;
}

/** A new handle on a constant's storage (released by the program that holds it). */
function handle(t: Tensor): Tensor {
  const storage = t._live("compile: reusing a constant");
  storage.retain();
  return new Tensor(storage, t.shape, t.dtype, t._placed, null)._keep();
}

/**
 * Compare the trace `b1` (null dimensions at size `s`) with the probe `b2` (at `s + PROBE_STEP`),
 * with the output ids of each. Returns how to build the trace for another size, or null when the
 * traces differ in anything but integer numbers linear in the size (then each size is traced), or
 * "unreadable" when a constant made by the trace cannot be read back to compare (a device
 * without synchronous reads): then nothing is learned.
 * Call before a Program is built from `b1` (it disposes the constants it does not use).
 */
export function generalize(b1: TraceBuilder, out1: readonly number[], b2: TraceBuilder, out2: readonly number[], s: number): Generalized | null | "unreadable" {
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
  /** Constants of one value throughout whose shape follows the size (an initial state of [batch, units] zeros). */
  const filled = new Map<number, { value: number; v1: readonly number[]; v2: readonly number[] }>();
  for (let i = 0; i < c1.length; i++) {
    const [[id1, t1], [id2, t2]] = [c1[i]!, c2[i]!];
    if (t1.dtype !== t2.dtype || !link(id2, id1)) return null;
    if (t1._storage === t2._storage) continue;
    const [x, y] = [values(t1), values(t2)];
    if (x === null || y === null) return "unreadable";
    if (t1.shape.length !== t2.shape.length || t1.shape.some((d, k) => d !== t2.shape[k])) {
      const v = x[0];
      const one = (a: ArrayLike<number>) => Array.prototype.every.call(a, (u: number) => Object.is(u, v));
      if (x.length === 0 || y.length === 0 || !alike(t1.shape, t2.shape) || !one(x) || !one(y)) return null;
      filled.set(id1, { value: v!, v1: t1.shape, v2: t2.shape });
      continue;
    }
    if (x.length !== y.length) return null;
    if (Array.prototype.every.call(x, (v: number, k: number) => Object.is(v, y[k]))) continue;
    // Only an integer scalar literal may follow the size.
    if (t1.size !== 1 || !fits(x[0]!, y[0]!)) return null;
    literals.set(id1, { v1: x[0], v2: y[0] });
  }
  if (b1.host.length !== b2.host.length) return null;
  for (let i = 0; i < b1.host.length; i++) {
    const [h1, h2] = [b1.host[i]!, b2.host[i]!];
    if (h1.kind !== h2.kind) return null;
    if (h1.kind === "scalar" && h2.kind === "scalar" && (h1.dtype !== h2.dtype || !link(h2.id, h1.id))) return null;
  }
  // Nodes: same op, inputs, dtypes; attrs and shapes linear in the size.
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

  // Keep what a later size needs: the nodes of both traces (attrs, shapes), the first's constants.
  const nodes1 = b1.nodes.map((n) => ({ ...n, inputs: [...n.inputs] }));
  const nodes2 = b2.nodes.map((n) => ({ attrs: n.attrs, outputs: n.outputs.map((o) => o.shape) }));
  const args = b1.args.map((t, i) => ({ id: t.id, dtype: t.dtype, v1: t.shape, v2: b2.args[i]!.shape }));
  const held = new Map<number, Tensor>([...b1.constants].map(([id, t]) => [id, handle(t)]));
  const host: HostStep[] = [...b1.host];
  const varsRead: Variable[] = [...b1.varsRead];
  const written: Variable[] = [...b1.written];
  const varState = new Map(b1.varState);
  const effects = [...b1.effects];
  let disposed = false;
  return {
    varies: comparing.differed,
    instantiate(size: number): TraceBuilder {
      const constants = new Map<number, Tensor>();
      for (const [id, t] of held) {
        const lit = literals.get(id);
        const fill = filled.get(id);
        if (fill) {
          const shape = resolve(fill.v1, fill.v2, s, size) as number[];
          const proto = readStorageSync(t._storage!, "compile: a constant of the size's shape") as unknown as { constructor: new (n: number) => { fill(v: number): unknown } };
          const data = new proto.constructor(shape.reduce((a, d) => a * d, 1));
          data.fill(fill.value);
          constants.set(id, tensorFromHost(data as never, shape, t.dtype, { name: t.device, placed: t._placed })._keep());
          continue;
        }
        if (!lit) {
          constants.set(id, handle(t));
          continue;
        }
        const v = at(lit.v1 as number, lit.v2 as number, s, size);
        const data = (readStorageSync(t._storage!, "compile: a size literal") as unknown as { slice(): { [k: number]: number } }).slice();
        data[0] = v;
        constants.set(id, tensorFromHost(data as never, t.shape, t.dtype, { name: t.device, placed: t._placed })._keep());
      }
      const nodes: TraceNode[] = nodes1.map((n, i) => ({
        ...n,
        inputs: [...n.inputs],
        attrs: resolve(n.attrs, nodes2[i]!.attrs, s, size),
        outputs: n.outputs.map((o, k) => ({ id: o.id, dtype: o.dtype, shape: resolve(o.shape, nodes2[i]!.outputs[k]!, s, size) as number[] })),
      }));
      const argSpecs = args.map((a) => ({ id: a.id, dtype: a.dtype as DType, shape: resolve(a.v1, a.v2, s, size) as number[] }));
      return { nodes, args: argSpecs, varsRead, varState, written, constants, host, effects } as unknown as TraceBuilder;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const t of held.values()) t.dispose();
    },
  };
}
