/**
 * Op watching for the debugging tools: each tool adds a watcher; while any is on, dispatch
 * hands every op to one composite that times it, notes how it ran (kernel path, decomposition,
 * fallback), and calls each watcher. With none on, `engine.opObserver` is null.
 */
import { engine, type OpObserver } from "../engine/engine.js";
import type { OpDef } from "../ops/def.js";
import { kernelPathOf } from "../plugin.js";
import type { Tensor } from "../tensor.js";

/** One op as the debugging tools see it, after it ran. */
export interface WatchedOp {
  readonly name: string;
  readonly def: OpDef<any>;
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  outputs: readonly Tensor[];
  /** 0 for an op the user called; 1 and more for ops run inside another (a decomposition's). */
  readonly depth: number;
  /** The device it ran on (its outputs' device). */
  device: string;
  /** How it ran: the kernel's path, "decomposition", or "fallback (<path>)". */
  path: string;
  /** performance.now() before and after dispatch (the kernel and its allocations). */
  readonly start: number;
  end: number;
  /** Ops run inside this one. */
  nested: number;
  /** The op this one ran inside, if any. */
  readonly parent: WatchedOp | null;
}

/** A debugging tool's view of ops: `after` may throw (the op's outputs are then disposed). */
export interface Watcher {
  after(op: WatchedOp): void;
}

const watchers: Watcher[] = [];
const state: { current: WatchedOp | null } = { current: null };

function fallbackCount(): number {
  let n = 0;
  for (const f of engine.placement.fallbacks.values()) n += f.count;
  return n;
}

const composite: OpObserver = {
  observe(def, inputs, attrs, run) {
    const parent = state.current;
    const op: WatchedOp = {
      name: def.name, def, inputs, attrs, outputs: [], depth: parent ? parent.depth + 1 : 0,
      device: "", path: "", start: 0, end: 0, nested: 0, parent,
    };
    const fallbacksBefore = fallbackCount();
    state.current = op;
    let outputs: Tensor[];
    (op as { start: number }).start = performance.now();
    try {
      outputs = run();
    } finally {
      state.current = parent;
    }
    op.end = performance.now();
    if (parent) parent.nested++;
    op.outputs = outputs;
    const storage = outputs[0]?._storage ?? inputs[0]?._storage;
    op.device = storage ? storage.backend.name : "none";
    // A compiled program's fused kernel names its own path; run in parts, it shows the ops inside.
    const own = (def as { kernelPath?: string }).kernelPath;
    const path = own ?? (storage ? kernelPathOf(storage.backend, def.name) : "unknown");
    op.path = op.nested > 0 ? (own ? `${own}, in parts` : "decomposition") : fallbackCount() !== fallbacksBefore ? `fallback (${path})` : path;
    try {
      for (const w of [...watchers]) w.after(op);
    } catch (e) {
      for (const t of outputs) t.dispose();
      throw e;
    }
    return outputs;
  },
};

/** The op running now (the innermost), if a watcher is on. */
export function currentOp(): WatchedOp | null {
  return state.current;
}

/** Start calling `w` after every op. Returns a function that stops it. */
export function addWatcher(w: Watcher): () => void {
  watchers.push(w);
  engine.opObserver = composite;
  return () => {
    const i = watchers.indexOf(w);
    if (i >= 0) watchers.splice(i, 1);
    if (watchers.length === 0 && engine.opObserver === composite) engine.opObserver = null;
  };
}
