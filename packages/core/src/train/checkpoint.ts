/**
 * Checkpoint: saves and restores networks (every variable, by hierarchical name) and
 * optimizers (step count and slots) as one safetensors file. Restoring validates the whole
 * file against the objects before assigning anything; values for weights or slots that do
 * not exist yet are kept and used when they are created (restore-on-create).
 */
import { platform } from "#platform";
import { tensor } from "../api/creation.js";
import { InvalidArgumentError } from "../errors.js";
import { Layer, type DeferredValue } from "../layers/layer.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Variable } from "../tensor.js";
import { Optimizer } from "./optimizer.js";
import { canDefer, listKeys, type RestoreOptions, type RestoreReport } from "./restore-plan.js";
import { CheckpointError, decodeSafetensors, encodeSafetensors, type SafetensorEntry } from "./safetensors.js";

/** What a checkpoint tracks: networks and layers, and optimizers, by key. */
export type Checkpointable = Layer<any, any> | Optimizer;

const FORMAT = "eager-checkpoint";
type Target = { v: Variable } | { opt: Optimizer };
const KEY_RE = /^[A-Za-z0-9_.\-]+$/;

/**
 * Saves and restores `{ model, optimizer, ... }`.
 * @example
 * const ckpt = new Checkpoint({ model, optimizer });
 * await ckpt.save("out/mnist.safetensors");
 * await new Checkpoint({ model: fresh, optimizer: opt2 }).restore("out/mnist.safetensors");
 */
export class Checkpoint {
  private readonly objects: ReadonlyMap<string, Checkpointable>;

  constructor(objects: Readonly<Record<string, Checkpointable>>) {
    if (typeof objects !== "object" || objects === null) throw new InvalidArgumentError("Checkpoint: expects an object like { model, optimizer }");
    const m = new Map<string, Checkpointable>();
    for (const [k, v] of Object.entries(objects)) {
      if (!KEY_RE.test(k)) throw new InvalidArgumentError(`Checkpoint: key ${JSON.stringify(k)} must be letters, digits, "_", "-" or "."`);
      if (!(v instanceof Layer) && !(v instanceof Optimizer)) throw new InvalidArgumentError(`Checkpoint: "${k}" must be a Network, a Layer or an Optimizer`);
      m.set(k, v);
    }
    if (m.size === 0) throw new InvalidArgumentError("Checkpoint: nothing to track");
    this.objects = m;
  }

  /** Every existing variable with its checkpoint key ("model/dense_1/kernel", "optimizer/iterations" aside). */
  private variableKeys(): Map<Variable, string> {
    const out = new Map<Variable, string>();
    for (const [k, o] of this.objects) if (o instanceof Layer) for (const [rel, v] of o.namedVariables()) if (!out.has(v)) out.set(v, `${k}/${rel}`);
    return out;
  }

  private slotKey(optKey: string, keys: Map<Variable, string>, v: Variable, slot: string): string {
    const vk = keys.get(v);
    if (!vk) throw new CheckpointError(`Checkpoint: optimizer "${optKey}" has a slot for variable "${v.name}", which belongs to no network in this checkpoint`);
    return `${optKey}/${vk}/${slot}`;
  }

  /** Every existing value by key: variables and slots, and each optimizer's step count. */
  private current(): Map<string, Target> {
    const keys = this.variableKeys();
    const out = new Map<string, Target>();
    for (const [v, k] of keys) out.set(k, { v });
    for (const [k, o] of this.objects) {
      if (!(o instanceof Optimizer)) continue;
      out.set(`${k}/iterations`, { opt: o });
      for (const [v, slot, s] of o.slotEntries()) out.set(this.slotKey(k, keys, v, slot), { v: s });
    }
    return out;
  }

  /** The checkpoint as safetensors bytes (waits for each device to read back). */
  async toBytes(): Promise<Uint8Array> {
    const entries = new Map<string, SafetensorEntry>();
    for (const [k, t] of this.current()) {
      if ("opt" in t) entries.set(k, { dtype: "int32", shape: [], values: new Int32Array([t.opt.iterations]) });
      else entries.set(k, { dtype: t.v.dtype, shape: t.v.shape, values: await t.v.data() });
    }
    return encodeSafetensors(entries, { format: FORMAT, version: "1" });
  }

  /**
   * Restore from safetensors bytes. Throws CheckpointError, changing nothing, when the bytes
   * are malformed or a value does not fit (shape, dtype, missing value for an existing
   * variable, an entry that matches no weight or slot that exists or can still be created).
   * With `{ allowPartial: true }` (or its synonym `expectPartial`) missing values and unmatched
   * entries are reported instead.
   */
  fromBytes(bytes: Uint8Array, options: RestoreOptions = {}): RestoreReport {
    const { tensors, metadata } = decodeSafetensors(bytes);
    if (metadata.format !== undefined && metadata.format !== FORMAT) throw new CheckpointError(`Checkpoint: file format is "${metadata.format}", expected "${FORMAT}"`);
    const partial = options.allowPartial === true || options.expectPartial === true;
    const current = this.current();
    const report: RestoreReport = { restored: [], deferred: [], ignored: [], missing: [...current.keys()].filter((k) => !tensors.has(k)) };
    if (report.missing.length && !partial)
      throw new CheckpointError(`Checkpoint: the file has no value for ${listKeys(report.missing)} (restore with { allowPartial: true } to keep their values)`);
    for (const name of tensors.keys()) {
      const top = name.split("/")[0]!;
      if (this.objects.has(top) && name.includes("/")) continue;
      if (!partial)
        throw new CheckpointError(`Checkpoint: the file holds "${name}" but this checkpoint tracks no "${top}" (it tracks ${[...this.objects.keys()].join(", ")}; restore with { allowPartial: true } to ignore it)`);
      report.ignored.push(name);
      tensors.delete(name);
    }
    for (const [k, t] of current) {
      const e = tensors.get(k);
      if (e === undefined) continue;
      const [dtype, shape] = "opt" in t ? (["int32", []] as const) : [t.v.dtype, t.v.shape];
      if (e.dtype !== dtype || !shapesEqual(e.shape, shape))
        throw new CheckpointError(`Checkpoint: "${k}" is ${e.dtype}${shapeStr(e.shape)} in the file but ${dtype}${shapeStr(shape)} here`);
      if ("opt" in t && !(e.values[0]! >= 0)) throw new CheckpointError(`Checkpoint: "${k}" must be >= 0, got ${e.values[0]}`);
    }
    const byKey = new Map<string, Variable>();
    for (const [v, k] of this.variableKeys()) byKey.set(k, v);
    const unmatched: string[] = [];
    for (const [name, e] of tensors) {
      if (current.has(name)) continue;
      if (canDefer(name, e, this.objects, byKey)) report.deferred.push(name);
      else unmatched.push(name);
    }
    if (unmatched.length && !partial)
      throw new CheckpointError(
        `Checkpoint: the file holds ${unmatched.length} value${unmatched.length === 1 ? "" : "s"} that match no weight or slot here (${listKeys(unmatched)}); the checkpoint does not fit these objects (restore with { allowPartial: true } to ignore them)`,
      );
    for (const name of unmatched) {
      report.ignored.push(name);
      tensors.delete(name);
    }
    // Everything checked: assign existing values, keep the rest for creation.
    for (const [k, t] of current) {
      const e = tensors.get(k);
      if (e === undefined) continue;
      if ("opt" in t) t.opt.iterations = e.values[0]!;
      else {
        const value = tensor(e.values, e.shape, e.dtype);
        t.v.assign(value);
        value.dispose();
      }
      report.restored.push(k);
      tensors.delete(k);
    }
    this.defer(tensors, !partial);
    return report;
  }

  private defer(rest: Map<string, SafetensorEntry>, strict: boolean): void {
    for (const [k, o] of this.objects) {
      const prefix = `${k}/`;
      if (o instanceof Layer) {
        const m = new Map<string, DeferredValue>();
        for (const [name, e] of rest) if (name.startsWith(prefix)) m.set(name.slice(prefix.length), e);
        o._deferred = m.size ? m : null;
        o._deferredStrict = strict;
      } else {
        const slots = new Map<string, DeferredValue>();
        for (const [name, e] of rest) if (name.startsWith(prefix)) slots.set(name, e);
        o._deferredSlot = slots.size
          ? (v, slot) => {
              const key = this.variableKeys().get(v);
              if (!key) return undefined;
              const name = `${k}/${key}/${slot}`;
              const e = slots.get(name);
              if (e && (e.dtype !== v.dtype || !shapesEqual(e.shape, v.shape)))
                throw new CheckpointError(`Checkpoint: "${name}" is ${e.dtype}${shapeStr(e.shape)} in the file but its variable is ${v.dtype}${shapeStr(v.shape)}`);
              slots.delete(name); // taken only once it fits
              return e;
            }
          : null;
      }
    }
  }

  /**
   * Write the checkpoint to `path` (Node): to a temporary file in the same folder, fsynced,
   * then renamed over `path` and the folder fsynced, so neither a killed process nor an OS
   * crash leaves a half-written checkpoint. Temporary files of killed saves are removed by
   * the next save. Returns the path. Elsewhere throws UnsupportedPlatformError: use `toBytes()`.
   */
  async save(path: string): Promise<string> {
    await platform.writeFile(path, await this.toBytes(), true);
    return path;
  }

  /** Read `path` (Node) and restore from it; see `fromBytes`. */
  async restore(path: string, options: RestoreOptions = {}): Promise<RestoreReport> {
    let bytes: Uint8Array;
    try {
      bytes = await platform.readFile(path);
    } catch (e) {
      throw new CheckpointError(`Checkpoint: cannot read "${path}": ${(e as Error).message}`);
    }
    return this.fromBytes(bytes, options);
  }
}
