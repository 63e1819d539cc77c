/**
 * One trace for every size of a `null` dimension: a trace that bakes the traced size S is compared
 * with a probe trace at S + PROBE_STEP; when they differ only in numbers linear in the size
 * (v = a*S + b, integers), a copy of the first trace with those numbers recomputed serves any size,
 * once a trace at that size has been checked to be the same program (`check`).
 */
import type { DType } from "../dtype.js";
import { Tensor, type Variable } from "../tensor.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { readStorageSync } from "../engine/transfer.js";
import type { HostStep, TraceBuilder, TraceNode } from "./builder.js";
import { at, compareTraces, plain, type Comparison, type TraceLike } from "./compare-traces.js";

export { PROBE_STEP } from "./compare-traces.js";

/** A trace rebuilt for one size: what a Program reads of a TraceBuilder, and what a comparison reads. */
export type Instance = TraceBuilder & TraceLike;

/** The first trace of a function under `null` dimensions, kept to serve and check other sizes. */
export interface Generalized {
  /**
   * Whether any number differs between the two sizes (false: the first trace's program serves
   * every size that `check` accepts, as it is).
   */
  readonly varies: boolean;
  /** Whether it follows one size shared by every `null` dimension (made by `generalize`; false: kept as it is by `freeze`). */
  readonly oneSize: boolean;
  /** The trace (its fields, as the program reads them) for `size`: numbers that follow the size recomputed. */
  instantiate(size: number): Instance;
  /**
   * Compare `b2` (a trace at other sizes, `size` when they are one) with this trace rebuilt for
   * them: the rebuilt trace when they are the same program (the caller builds a program from it
   * or releases it), null when they differ, "unreadable" when a constant cannot be read back.
   */
  check(b2: TraceBuilder, out2: readonly number[], size: number | null): Instance | null | "unreadable";
  /** Free the constants held for later sizes. */
  dispose(): void;
}

/** `x` with every number that differs from `y` recomputed for `size` (shape of `alike`). */
function resolve(x: unknown, y: unknown, s: number, size: number): unknown {
  if (typeof x === "number" && typeof y === "number") return at(x, y, s, size);
  if (Array.isArray(x) && Array.isArray(y)) return x.map((v, i) => resolve(v, y[i], s, size));
  if (plain(x) && plain(y)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, k in y ? resolve(v, y[k], s, size) : v]));
  return x;
}

/** A new handle on a constant's storage (released by the program that holds it). */
function handle(t: Tensor): Tensor {
  const storage = t._live("compile: reusing a constant");
  storage.retain();
  return new Tensor(storage, t.shape, t.dtype, t._placed, null)._keep();
}

/** Free the constants of a rebuilt trace that no program took. */
export function release(b: Instance): void {
  for (const t of b.constants.values()) t.dispose();
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
  const c = compareTraces(b1, out1, b2, out2, "linear");
  if (c === null || c === "unreadable") return c;
  return keep(b1, out1, { b2, s, c });
}

/**
 * The trace `b1` kept as it is, to check traces at other sizes against (`null` dimensions whose
 * sizes differ: no line to follow, so numbers must be equal, value shapes aside).
 * Call before a Program is built from `b1`.
 */
export function freeze(b1: TraceBuilder, out1: readonly number[]): Generalized {
  return keep(b1, out1, null);
}

/** The Generalized of `b1`, linear in one size after comparison `c` with the probe `b2` (at `s + PROBE_STEP`), or frozen. */
function keep(b1: TraceBuilder, out1: readonly number[], linear: { b2: TraceBuilder; s: number; c: Comparison } | null): Generalized {
  // Keep what a later size needs: the nodes of both traces (attrs, shapes), the first's constants.
  const nodes1 = b1.nodes.map((n) => ({ ...n, inputs: [...n.inputs] }));
  const draws = new Set<number>(nodes1.flatMap((n, i) => (b1.isDraw(b1.nodes[i]!) ? [i] : [])));
  const nodes2 = (linear?.b2 ?? b1).nodes.map((n) => ({ attrs: n.attrs, outputs: n.outputs.map((o) => o.shape) }));
  const args = b1.args.map((t, i) => ({ id: t.id, dtype: t.dtype, v1: t.shape, v2: (linear?.b2 ?? b1).args[i]!.shape }));
  const held = new Map<number, Tensor>([...b1.constants].map(([id, t]) => [id, handle(t)]));
  const literals = linear?.c.literals ?? new Map();
  const filled = linear?.c.filled ?? new Map();
  const s = linear?.s ?? 0;
  const host: HostStep[] = [...b1.host];
  const varsRead: Variable[] = [...b1.varsRead];
  const written: Variable[] = [...b1.written];
  const varState = new Map(b1.varState);
  const effects = [...b1.effects];
  const outs = [...out1];
  let disposed = false;
  const instantiate = (size: number): Instance => {
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
      const v = at(lit.v1, lit.v2, s, size);
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
    const drawNodes = new Set(nodes.filter((_, i) => draws.has(i)));
    const argSpecs = args.map((a) => ({ id: a.id, dtype: a.dtype as DType, shape: resolve(a.v1, a.v2, s, size) as number[] }));
    const isDraw = (n: TraceNode): boolean => drawNodes.has(n);
    return { nodes, args: argSpecs, varsRead, varState, written, constants, host, effects, isDraw } as unknown as Instance;
  };
  return {
    varies: linear?.c.varies ?? false,
    oneSize: linear !== null,
    instantiate,
    check(b2, out2, size) {
      // A frozen trace is compared as it is; a linear one at the size, value shapes included.
      const inst = instantiate(size ?? s);
      const c = compareTraces(inst, outs, b2, out2, linear ? "equal" : "equal-but-shapes");
      if (c !== null && c !== "unreadable") return inst;
      release(inst);
      return c;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const t of held.values()) t.dispose();
    },
  };
}
