/** Checkpoints: safetensors round trips bit-exact for every dtype; truncated, oversized, malformed and mismatched files are rejected with nothing changed; restore-on-create. */
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@eager/core";
import { layers, Network, train } from "@eager/core";

class Model extends Network {
  dense = this.trackLayer(new layers.Dense({ units: 3, activation: "relu" }));
  bn = this.trackLayer(new layers.BatchNormalization());
  head = this.trackLayer(new layers.Dense(2));
  call(x: tf.Tensor, training: boolean) {
    return this.head.apply(this.bn.apply(this.dense.apply(x), { training }));
  }
}

const x = () => tf.tensor([[0.5, -1, 2, 0.1], [1, 1, -0.3, 0.7]]);
function trained(steps = 3): [Model, train.AdamOptimizer] {
  const m = new Model();
  const opt = new train.AdamOptimizer({ learningRate: 0.01 });
  for (let i = 0; i < steps; i++) opt.minimize(() => tf.sum(tf.square(m.apply(x(), { training: true }))));
  return [m, opt];
}
const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync() as ArrayLike<number>));

describe("safetensors", () => {
  it("encodes the header as safetensors and round-trips every dtype bit-exactly", () => {
    const entries = new Map<string, train.SafetensorEntry>([
      ["a/f32", { dtype: "float32", shape: [2, 2], values: new Float32Array([1.5, -0, NaN, 3.4028234663852886e38]) }],
      ["b/i32", { dtype: "int32", shape: [3], values: new Int32Array([-2147483648, 0, 7]) }],
      ["c/bool", { dtype: "bool", shape: [2], values: new Uint8Array([1, 0]) }],
      ["d/f64", { dtype: "float64", shape: [], values: new Float64Array([Math.PI]) }],
      ["e/empty", { dtype: "float32", shape: [0, 4], values: new Float32Array(0) }],
    ]);
    const bytes = train.encodeSafetensors(entries, { k: "v" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["a/f32"]).toEqual({ dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
    expect(header["b/i32"]).toEqual({ dtype: "I32", shape: [3], data_offsets: [16, 28] });
    expect(header["c/bool"].dtype).toBe("BOOL");
    expect(header["d/f64"]).toEqual({ dtype: "F64", shape: [], data_offsets: [30, 38] });
    expect(header.__metadata__).toEqual({ k: "v" });
    expect(new DataView(bytes.buffer).getFloat32(8 + n, true)).toBe(1.5);
    const back = train.decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ k: "v" });
    for (const [k, e] of entries) {
      const d = back.tensors.get(k)!;
      expect(d.dtype).toBe(e.dtype);
      expect(d.shape).toEqual(e.shape);
      expect(new Uint8Array(d.values.buffer, d.values.byteOffset, d.values.byteLength)).toEqual(new Uint8Array(e.values.buffer));
    }
  });
  it("rejects truncated, oversized and malformed buffers", () => {
    const good = train.encodeSafetensors(new Map([["w", { dtype: "float32", shape: [2], values: new Float32Array([1, 2]) }]]));
    const bad = (b: Uint8Array, re: RegExp) => expect(() => train.decodeSafetensors(b)).toThrow(re);
    bad(good.subarray(0, 5), /truncated/);
    bad(good.subarray(0, good.length - 1), /truncated/);
    bad(new Uint8Array([...good, 0, 0]), /unexpected bytes/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    bad(huge, /limit/);
    const withHeader = (h: string) => {
      const hb = new TextEncoder().encode(h);
      const out = new Uint8Array(8 + hb.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
      out.set(hb, 8);
      return out;
    };
    bad(withHeader("{not json"), /not valid JSON/);
    bad(withHeader("[]"), /JSON object/);
    bad(withHeader(JSON.stringify({ w: { dtype: "F16", shape: [4], data_offsets: [0, 8] } })), /unsupported dtype/);
    bad(withHeader(JSON.stringify({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } })), /needs 12/);
    bad(withHeader(JSON.stringify({ w: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } })), /invalid shape/);
    bad(withHeader(JSON.stringify({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } })), /overlaps/);
    bad(withHeader(JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } })), /gap/);
    bad(withHeader(JSON.stringify({ a: { dtype: "BOOL", shape: [8], data_offsets: [0, 8] } })).map((v, i, arr) => (i === arr.length - 1 ? 2 : v)), /BOOL/);
  });
});

describe("Checkpoint", () => {
  it("saves every variable and optimizer slot under stable names and restores them bit-exactly", async () => {
    const [m, opt] = trained();
    const dir = await mkdtemp(join(tmpdir(), "eager-ckpt-"));
    const path = join(dir, "sub", "model.safetensors");
    await new train.Checkpoint({ model: m, optimizer: opt }).save(path);
    expect(await readdir(join(dir, "sub"))).toEqual(["model.safetensors"]);
    const names = [...train.decodeSafetensors(new Uint8Array(await readFile(path))).tensors.keys()];
    expect(names).toContain("model/dense/kernel");
    expect(names).toContain("model/batch_normalization/moving_mean");
    expect(names).toContain("optimizer/iterations");
    expect(names).toContain("optimizer/model/dense_1/kernel/m");
    expect(names).toContain("optimizer/model/dense/bias/v");
    expect(names.length).toBe(8 + 1 + 2 * 6);

    // Restore into an already-built model and optimizer with other values.
    const [m2, opt2] = trained(1);
    await new train.Checkpoint({ model: m2, optimizer: opt2 }).restore(path);
    expect(snapshot(m2.variables)).toEqual(snapshot(m.variables));
    expect(snapshot(opt2.slotEntries().map(([, , s]) => s))).toEqual(snapshot(opt.slotEntries().map(([, , s]) => s)));
    expect(opt2.iterations).toBe(3);
    // Both continue identically.
    for (const [mm, oo] of [[m, opt], [m2, opt2]] as const) oo.minimize(() => tf.sum(tf.square(mm.apply(x(), { training: true }))));
    expect(snapshot(m2.variables)).toEqual(snapshot(m.variables));
  });

  it("restores before the model is built: values wait for the variables and slots to appear", async () => {
    const [m, opt] = trained();
    const bytes = await new train.Checkpoint({ model: m, optimizer: opt }).toBytes();
    const fresh = new Model();
    const freshOpt = new train.AdamOptimizer({ learningRate: 0.01 });
    new train.Checkpoint({ model: fresh, optimizer: freshOpt }).fromBytes(bytes);
    expect(fresh.variables.length).toBe(0);
    expect(freshOpt.iterations).toBe(3);
    expect(fresh.apply(x()).arraySync()).toEqual(m.apply(x()).arraySync());
    expect(snapshot(fresh.variables)).toEqual(snapshot(m.variables));
    freshOpt.minimize(() => tf.sum(tf.square(fresh.apply(x(), { training: true }))));
    opt.minimize(() => tf.sum(tf.square(m.apply(x(), { training: true }))));
    expect(snapshot(fresh.variables)).toEqual(snapshot(m.variables));
  });

  it("rejects a corrupt, truncated or mismatched file and changes nothing", async () => {
    const [m, opt] = trained();
    const bytes = await new train.Checkpoint({ model: m, optimizer: opt }).toBytes();
    const [target, targetOpt] = trained(1);
    const before = snapshot(target.variables);
    const slotsBefore = snapshot(targetOpt.slotEntries().map(([, , s]) => s));
    const ck = new train.Checkpoint({ model: target, optimizer: targetOpt });
    const dir = await mkdtemp(join(tmpdir(), "eager-ckpt-"));
    await writeFile(join(dir, "cut.safetensors"), bytes.subarray(0, bytes.length - 3));
    await expect(ck.restore(join(dir, "cut.safetensors"))).rejects.toThrow(train.CheckpointError);
    await expect(ck.restore(join(dir, "missing.safetensors"))).rejects.toThrow(/cannot read/);
    expect(() => ck.fromBytes(new Uint8Array([...bytes, 1]))).toThrow(/unexpected bytes/);
    // A file whose last tensor has the wrong shape: everything before it must stay untouched.
    const { tensors } = train.decodeSafetensors(bytes);
    const keys = [...tensors.keys()];
    const last = keys[keys.length - 1]!;
    const e = tensors.get(last)!;
    tensors.set(last, { dtype: e.dtype, shape: [e.values.length, 1], values: e.values });
    expect(() => ck.fromBytes(train.encodeSafetensors(tensors, { format: "eager-checkpoint" }))).toThrow(/in the file but/);
    // A file missing one variable.
    const partial = train.decodeSafetensors(bytes).tensors;
    partial.delete("model/dense_1/bias");
    expect(() => ck.fromBytes(train.encodeSafetensors(partial))).toThrow(/no value for "model\/dense_1\/bias"/);
    // A value for an object the checkpoint does not track.
    const extra = train.decodeSafetensors(bytes).tensors;
    extra.set("other/w", { dtype: "float32", shape: [1], values: new Float32Array([1]) });
    expect(() => ck.fromBytes(train.encodeSafetensors(extra))).toThrow(/tracks no "other"/);
    expect(snapshot(target.variables)).toEqual(before);
    expect(snapshot(targetOpt.slotEntries().map(([, , s]) => s))).toEqual(slotsBefore);
    expect(targetOpt.iterations).toBe(1);
    expect(() => new train.Checkpoint({ model: {} as never })).toThrow(tf.InvalidArgumentError);
  });

  it("a restored weight of the wrong shape fails when the weight is created", () => {
    const src = new layers.Dense(3);
    src.apply(tf.zeros([1, 4]));
    const holder = new (class extends Network { d = this.trackLayer(new layers.Dense(3)); call(x: tf.Tensor) { return this.d.apply(x); } })();
    const ck = new train.Checkpoint({ model: holder });
    ck.fromBytes(train.encodeSafetensors(new Map([
      ["model/dense/kernel", { dtype: "float32", shape: [4, 3], values: new Float32Array(12) }],
      ["model/dense/bias", { dtype: "float32", shape: [3], values: new Float32Array([1, 2, 3]) }],
    ])));
    expect(() => holder.apply(tf.zeros([1, 5]))).toThrow(tf.ShapeError);
  });
});
