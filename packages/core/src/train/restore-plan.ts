/**
 * Where a checkpoint value that matches no existing weight or slot can still go. A value is
 * deferred (restore-on-create) only when a weight or slot could still be created for it: its
 * path leads to a layer that is not built yet, or it is a slot the optimizer keeps for a
 * variable that exists or may still be created. Everything else matches nothing.
 */
import { Layer } from "../layers/layer.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Variable } from "../tensor.js";
import { Optimizer } from "./optimizer.js";
import { CheckpointError, type SafetensorEntry } from "./safetensors.js";

/** Options of `Checkpoint.restore` and `fromBytes`. */
export interface RestoreOptions {
  /**
   * Restore what fits and report the rest instead of failing: existing values the file lacks
   * keep their values, and entries that match nothing (or belong to objects this checkpoint
   * does not track) are ignored and not kept. Shape and dtype mismatches still fail.
   */
  readonly allowPartial?: boolean;
  /** The same as `allowPartial` (either one turns partial restore on). */
  readonly expectPartial?: boolean;
}

/** What a restore did, by checkpoint key. */
export interface RestoreReport {
  /** Assigned to existing weights, slots and step counts. */
  readonly restored: string[];
  /** Kept for weights and slots that will be created later. */
  readonly deferred: string[];
  /** In the file but matching nothing here (only with `allowPartial`). */
  readonly ignored: string[];
  /** Existing values the file has no entry for (only with `allowPartial`). */
  readonly missing: string[];
}

/** Whether a weight at `rel` under `layer` could still be created (a layer on its path is unbuilt). */
function layerCouldCreate(layer: Layer<any, any>, rel: string): boolean {
  const parts = rel.split("/");
  let at = layer;
  for (let i = 0; i < parts.length - 1; i++) {
    const child = at.layers.find((l) => l.name === parts[i]);
    if (!child) break;
    at = child;
  }
  return !at.built;
}

/**
 * Whether `name` (not an existing value) may be deferred. Throws CheckpointError when it
 * is a slot for an existing variable whose shape or dtype differs.
 */
export function canDefer(name: string, e: SafetensorEntry, objects: ReadonlyMap<string, unknown>, variables: ReadonlyMap<string, Variable>): boolean {
  const slash = name.indexOf("/");
  const top = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  const o = objects.get(top);
  if (o instanceof Layer) return layerCouldCreate(o, rest);
  if (!(o instanceof Optimizer)) return false;
  const cut = rest.lastIndexOf("/");
  if (cut < 0 || !o.slotNames.includes(rest.slice(cut + 1))) return false;
  const varKey = rest.slice(0, cut);
  const v = variables.get(varKey);
  if (v !== undefined) {
    if (e.dtype !== v.dtype || !shapesEqual(e.shape, v.shape))
      throw new CheckpointError(`Checkpoint: "${name}" is ${e.dtype}${shapeStr(e.shape)} in the file but its variable is ${v.dtype}${shapeStr(v.shape)}`);
    return true;
  }
  const vs = varKey.indexOf("/");
  const owner = objects.get(varKey.slice(0, vs));
  return vs > 0 && owner instanceof Layer && layerCouldCreate(owner, varKey.slice(vs + 1));
}

/** "a", "b", "c" and 7 more. */
export function listKeys(keys: readonly string[]): string {
  return `${keys.slice(0, 5).map((k) => `"${k}"`).join(", ")}${keys.length > 5 ? ` and ${keys.length - 5} more` : ""}`;
}
