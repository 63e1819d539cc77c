/**
 * Checkpoints for users: model.saveWeights/loadWeights, partial restore on purpose with
 * { expectPartial: true } (or allowPartial), and CheckpointManager (maxToKeep, latest, restoreLatest).
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@eager/core";
import { layers, train } from "@eager/core";

const mlp = () => tf.sequential({ layers: [layers.dense({ units: 3, inputShape: [2], activation: "relu" }), layers.dense({ units: 1 })] });
const values = (m: { variables: tf.Variable[] }) => m.variables.map((v) => Array.from(v.dataSync()));

describe("saveWeights and loadWeights", () => {
  it("round-trip weights, also into an unbuilt model", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eager-weights-"));
    const a = mlp();
    a.predict([[1, 2]]).dispose();
    const path = await a.saveWeights(join(dir, "w.safetensors"));
    const b = mlp();
    b.predict([[0, 0]]).dispose();
    expect(values(b)).not.toEqual(values(a));
    await b.loadWeights(path);
    expect(values(b)).toEqual(values(a));
    const c = tf.sequential({ layers: [layers.dense({ units: 3, activation: "relu" }), layers.dense({ units: 1 })] });
    await c.loadWeights(path); // not built: weights are taken when created
    expect(Array.from(c.predict([[1, 2]]).dataSync())).toEqual(Array.from(a.predict([[1, 2]]).dataSync()));
  });
});

describe("partial restore", () => {
  it("a subset restores only with expectPartial, keeping the rest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eager-partial-"));
    const model = mlp();
    model.predict([[1, 1]]).dispose();
    const path = await new train.Checkpoint({ model }).save(join(dir, "model-only.safetensors"));
    const fresh = mlp();
    fresh.predict([[1, 1]]).dispose();
    const opt = train.adam(0.1);
    opt.minimize(() => fresh.apply([[1, 1]]).sum());
    const ckpt = new train.Checkpoint({ model: fresh, optimizer: opt });
    await expect(ckpt.restore(path)).rejects.toThrow(/no value for "optimizer\/iterations".*allowPartial/s);
    const slot = Array.from(opt.getSlot(fresh.variables[0]!, "m")!.dataSync());
    await ckpt.restore(path, { expectPartial: true });
    expect(values(fresh)).toEqual(values(model));
    expect(opt.iterations).toBe(1);
    expect(Array.from(opt.getSlot(fresh.variables[0]!, "m")!.dataSync())).toEqual(slot);
    // A file with more objects than tracked: an error unless partial.
    const full = await ckpt.save(join(dir, "full.safetensors"));
    const other = mlp();
    await expect(new train.Checkpoint({ model: other }).restore(full)).rejects.toThrow(/tracks no "optimizer"/);
    await new train.Checkpoint({ model: other }).restore(full, { allowPartial: true }); // the same option under its other name
    other.predict([[0, 0]]).dispose();
    expect(values(other)).toEqual(values(model));
  });
  it("shapes are still checked in a partial restore", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eager-partial-"));
    const model = mlp();
    model.predict([[1, 1]]).dispose();
    const path = await model.saveWeights(join(dir, "w.safetensors"));
    const wide = tf.sequential({ layers: [layers.dense({ units: 4, inputShape: [2] }), layers.dense({ units: 1 })] });
    wide.predict([[1, 1]]).dispose();
    await expect(wide.loadWeights(path, { expectPartial: true })).rejects.toThrow(train.CheckpointError);
  });
});

describe("CheckpointManager", () => {
  it("numbers checkpoints, keeps maxToKeep and restores the latest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eager-manager-"));
    const model = mlp();
    model.predict([[1, 1]]).dispose();
    const manager = new train.CheckpointManager(new train.Checkpoint({ model }), dir, { maxToKeep: 2 });
    expect(await manager.latest()).toBeNull();
    expect(await manager.restoreLatest()).toBeNull();
    const saved: number[][][] = [];
    for (let i = 0; i < 4; i++) {
      model.variables[1]!.assign(tf.fill([3], i));
      saved.push(values(model));
      await manager.save();
    }
    expect((await readdir(dir)).sort()).toEqual(["ckpt-2.safetensors", "ckpt-3.safetensors"]);
    expect(await manager.latest()).toBe(join(dir, "ckpt-3.safetensors"));
    expect(await manager.save(10)).toBe(join(dir, "ckpt-10.safetensors"));
    expect((await manager.checkpoints()).map((p) => p.slice(dir.length + 1))).toEqual(["ckpt-3.safetensors", "ckpt-10.safetensors"]);
    const copy = mlp();
    const restored = await new train.CheckpointManager(new train.Checkpoint({ model: copy }), dir).restoreLatest();
    expect(restored).toBe(join(dir, "ckpt-10.safetensors"));
    copy.predict([[0, 0]]).dispose();
    expect(values(copy)).toEqual(saved[3]);
    expect(() => new train.CheckpointManager(new train.Checkpoint({ model }), dir, { maxToKeep: 0 })).toThrow(/maxToKeep/);
  });
});
