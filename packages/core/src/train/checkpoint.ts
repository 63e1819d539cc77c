/**
 * Checkpoint: saves and restores networks (every variable, by hierarchical name) and
 * optimizers (step count and slots) as one safetensors file. Restoring validates the whole
 * file against the objects before assigning anything; values for weights or slots that do
 * not exist yet are kept and used when they are created (restore-on-create).
 */
import { tensor } from "../api/creation.js";
import { InvalidArgumentError } from "../errors.js";
import { Layer, type DeferredValue } from "../layers/layer.js";
import { shapesEqual, shapeStr } from "../shape.js";
import type { Variable } from "../tensor.js";
import { Optimizer } from "./optimizer.js";
import { CheckpointError, decodeSafetensors, encodeSafetensors, type SafetensorEntry } from "./safetensors.js";

/** Options of `Checkpoint.restore` and `fromBytes`. */
export interface RestoreOptions {
  /**
   * Restore a subset on purpose: values the file lacks keep their current values, and values
   * for objects this checkpoint does not track are ignored. Shapes and dtypes are still checked.
   * Default false: every existing value must be in the file, and nothing else.
   */
  readonly allowPartial?: boolean;
  /** The same as `allowPartial` (either one turns partial restore on). */
  readonly expectPartial?: boolean;
}

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
   * are malformed or a value does not fit (shape, dtype, or a missing
   * value for an existing variable or a value for an untracked object) unless `allowPartial`.
   */
  fromBytes(bytes: Uint8Array, options: RestoreOptions = {}): void {
    const { tensors, metadata } = decodeSafetensors(bytes);
    if (metadata.format !== undefined && metadata.format !== FORMAT) throw new CheckpointError(`Checkpoint: file format is "${metadata.format}", expected "${FORMAT}"`);
    const partial = options.allowPartial === true || options.expectPartial === true;
    const current = this.current();
    const missing = [...current.keys()].filter((k) => !tensors.has(k));
    if (partial) for (const k of missing) current.delete(k);
    else if (missing.length)
      throw new CheckpointError(
        `Checkpoint: the file has no value for ${missing.slice(0, 5).map((k) => `"${k}"`).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}` +
          ` (to restore a subset on purpose, pass { allowPartial: true })`,
      );
    for (const name of [...tensors.keys()]) {
      const top = name.split("/")[0]!;
      if (this.objects.has(top)) continue;
      if (partial) tensors.delete(name);
      else throw new CheckpointError(`Checkpoint: the file holds "${name}" but this checkpoint tracks no "${top}" (it tracks ${[...this.objects.keys()].join(", ")}; pass { allowPartial: true } to ignore it)`);
    }
    for (const [k, t] of current) {
      const e = tensors.get(k)!;
      const [dtype, shape] = "opt" in t ? (["int32", []] as const) : [t.v.dtype, t.v.shape];
      if (e.dtype !== dtype || !shapesEqual(e.shape, shape))
        throw new CheckpointError(`Checkpoint: "${k}" is ${e.dtype}${shapeStr(e.shape)} in the file but ${dtype}${shapeStr(shape)} here`);
      if ("opt" in t && !(e.values[0]! >= 0)) throw new CheckpointError(`Checkpoint: "${k}" must be >= 0, got ${e.values[0]}`);
    }
    // Everything checked: assign existing values, keep the rest for creation.
    for (const [k, t] of current) {
      const e = tensors.get(k)!;
      if ("opt" in t) t.opt.iterations = e.values[0]!;
      else {
        const value = tensor(e.values, e.shape, e.dtype);
        t.v.assign(value);
        value.dispose();
      }
      tensors.delete(k);
    }
    this.defer(tensors);
  }

  private defer(rest: Map<string, SafetensorEntry>): void {
    for (const [k, o] of this.objects) {
      const prefix = `${k}/`;
      if (o instanceof Layer) {
        const m = new Map<string, DeferredValue>();
        for (const [name, e] of rest) if (name.startsWith(prefix)) m.set(name.slice(prefix.length), e);
        o._deferred = m.size ? m : null;
      } else {
        const slots = new Map<string, DeferredValue>();
        for (const [name, e] of rest) if (name.startsWith(prefix)) slots.set(name, e);
        o._deferredSlot = slots.size
          ? (v, slot) => {
              const key = this.variableKeys().get(v);
              if (!key) return undefined;
              const name = `${k}/${key}/${slot}`;
              const e = slots.get(name);
              slots.delete(name);
              return e;
            }
          : null;
      }
    }
  }

  /**
   * Write the checkpoint to `path` (Node): to a temporary file in the same folder, then
   * renamed over `path`, so a crash never leaves a half-written checkpoint. Returns the path.
   */
  async save(path: string): Promise<string> {
    const fs = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    const bytes = await this.toBytes();
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
    try {
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, path);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    return path;
  }

  /** Read `path` (Node) and restore from it; see `fromBytes`. */
  async restore(path: string, options: RestoreOptions = {}): Promise<void> {
    const fs = await import("node:fs/promises");
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path));
    } catch (e) {
      throw new CheckpointError(`Checkpoint: cannot read "${path}": ${(e as Error).message}`);
    }
    this.fromBytes(bytes, options);
  }
}
