/**
 * The leak finder. While leak tracking is on, every new tensor is noted with the op that made
 * it and the user's line (a stack capture per tensor, so it is off by default and dispatch pays
 * nothing). `memory({ verbose: true })` lists the live ones; `checkLeaks(fn)` reports tensors
 * made inside `fn` and alive after it, grouped by creation site. Tensors are held weakly.
 */
import { engine } from "../engine/engine.js";
import { memory as memoryTotals, type MemoryInfo } from "../engine/memory.js";
import { Tensor, Variable } from "../tensor.js";
import { callSite } from "./call-site.js";
import { currentOp } from "./observer.js";
import { addWatcher } from "./observer.js";

/** A live tensor as the leak finder saw it made. */
export interface LiveTensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly device: string;
  readonly bytes: number;
  /** The op that made it ("tensor" for values from the host, "variable" for variables). */
  readonly op: string;
  /** The user's line that made it. */
  readonly site: string;
}

/** `memory()` plus, with `verbose`, the live tensors made while leak tracking was on. */
export interface VerboseMemoryInfo extends MemoryInfo {
  readonly tensors: readonly LiveTensor[];
  /** Live tensors made while tracking was off (their origin is unknown). */
  readonly untracked: number;
}

interface Origin {
  readonly op: string;
  readonly site: string;
  readonly epoch: number;
}

const tracking: { depth: number; stopOps: (() => void) | null; epoch: number; refs: Set<WeakRef<Tensor>>; origins: WeakMap<Tensor, Origin> } = {
  depth: 0, stopOps: null, epoch: 0, refs: new Set(), origins: new WeakMap(),
};

function note(t: Tensor): void {
  if (t._storage === null) return;
  const op = currentOp();
  let root = op;
  while (root?.parent) root = root.parent;
  tracking.origins.set(t, { op: root ? root.name : t instanceof Variable ? "variable" : "tensor", site: callSite(), epoch: tracking.epoch });
  tracking.refs.add(new WeakRef(t));
}

/** Note every new tensor's creating op and site from now on (until `disableLeakTracking`). */
export function enableLeakTracking(): void {
  if (tracking.depth++ > 0) return;
  engine.tensorObserver = note;
  // Watching ops lets a tensor name the op that made it.
  tracking.stopOps = addWatcher({ after: () => undefined });
}

/** Stop noting new tensors (every enable needs one disable). Tensors already noted keep their origin. */
export function disableLeakTracking(): void {
  if (tracking.depth === 0 || --tracking.depth > 0) return;
  if (engine.tensorObserver === note) engine.tensorObserver = null;
  tracking.stopOps?.();
  tracking.stopOps = null;
}

function alive(t: Tensor): boolean {
  return !t.isDisposed && !t._isReleased && t._storage !== null;
}

function liveTracked(sinceEpoch = -1): LiveTensor[] {
  const out: LiveTensor[] = [];
  for (const ref of tracking.refs) {
    const t = ref.deref();
    if (!t || !alive(t)) {
      tracking.refs.delete(ref);
      continue;
    }
    const o = tracking.origins.get(t)!;
    if (o.epoch < sinceEpoch) continue;
    out.push({ id: t.id, shape: t.shape, dtype: t.dtype, device: t.device, bytes: t._storage!.bytes, op: o.op, site: o.site });
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * Live tensors and bytes per device; with `{ verbose: true }` also every live tensor made
 * while leak tracking was on (shape, dtype, device, creating op, creation site).
 * @example tf.enableLeakTracking(); ...; console.log(tf.memory({ verbose: true }).tensors);
 */
export function memory(): MemoryInfo;
export function memory(options: { readonly verbose: true }): VerboseMemoryInfo;
export function memory(options?: { readonly verbose?: boolean }): MemoryInfo | VerboseMemoryInfo;
export function memory(options?: { readonly verbose?: boolean }): MemoryInfo | VerboseMemoryInfo {
  const totals = memoryTotals();
  if (!options?.verbose) return totals;
  const tensors = liveTracked();
  return { ...totals, tensors, untracked: Math.max(0, totals.numTensors - tensors.length) };
}

/** Leaked tensors from one creation site. */
export interface LeakGroup {
  readonly site: string;
  readonly op: string;
  readonly count: number;
  readonly bytes: number;
  readonly tensors: readonly LiveTensor[];
}

/** What `checkLeaks` found. */
export interface LeakReport<R = unknown> {
  readonly result: R;
  /** Tensors made inside `fn` and alive after it (not counting those it returned). */
  readonly leaked: number;
  readonly bytes: number;
  /** Grouped by creation site, most tensors first. */
  readonly groups: readonly LeakGroup[];
  /** Tensors `fn` returned (alive on purpose, not counted as leaks). */
  readonly returned: number;
  toString(): string;
}

function returnedTensors(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v) && depth < 8) for (const x of v) returnedTensors(x, out, depth + 1);
  else if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && depth < 8) for (const x of Object.values(v)) returnedTensors(x, out, depth + 1);
}

function report<R>(result: R, epoch: number): LeakReport<R> {
  const keep = new Set<Tensor>();
  returnedTensors(result, keep);
  const ids = new Set([...keep].map((t) => t.id));
  const leaked = liveTracked(epoch).filter((t) => !ids.has(t.id));
  const bySite = new Map<string, LiveTensor[]>();
  for (const t of leaked) {
    const k = `${t.site}|${t.op}`;
    bySite.set(k, [...(bySite.get(k) ?? []), t]);
  }
  const groups = [...bySite.values()]
    .map((ts) => ({ site: ts[0]!.site, op: ts[0]!.op, count: ts.length, bytes: ts.reduce((s, t) => s + t.bytes, 0), tensors: ts }))
    .sort((a, b) => b.count - a.count || b.bytes - a.bytes);
  const bytes = leaked.reduce((s, t) => s + t.bytes, 0);
  const text =
    leaked.length === 0
      ? `checkLeaks: no leaks (${keep.size} returned tensor${keep.size === 1 ? "" : "s"} kept)`
      : [
          `checkLeaks: ${leaked.length} tensor${leaked.length === 1 ? "" : "s"} (${bytes} bytes) made inside the function are still alive:`,
          ...groups.map((g) => `  ${g.count} x ${g.op} -> ${[...new Set(g.tensors.map((t) => `${t.dtype}[${t.shape.join(",")}] on ${t.device}`))].join(", ")} (${g.bytes} bytes), made at ${g.site}`),
        ].join("\n");
  return { result, leaked: leaked.length, bytes, groups, returned: keep.size, toString: () => text };
}

/**
 * Run `fn` with leak tracking on and report every tensor it made that is still alive after it
 * (returned tensors excepted), grouped by creation site. Works with async `fn`.
 * @example const r = tf.checkLeaks(() => step(x)); if (r.leaked) console.log(String(r));
 */
export function checkLeaks<R>(fn: () => Promise<R>): Promise<LeakReport<R>>;
export function checkLeaks<R>(fn: () => R): LeakReport<R>;
export function checkLeaks<R>(fn: () => R | Promise<R>): LeakReport<R> | Promise<LeakReport<R>> {
  const epoch = ++tracking.epoch;
  enableLeakTracking();
  let result: R | Promise<R>;
  try {
    result = fn();
  } catch (e) {
    disableLeakTracking();
    throw e;
  }
  if (result instanceof Promise)
    return result.then(
      (v) => {
        disableLeakTracking();
        return report(v, epoch);
      },
      (e) => {
        disableLeakTracking();
        throw e;
      },
    );
  disableLeakTracking();
  return report(result, epoch);
}
