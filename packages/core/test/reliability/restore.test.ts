/**
 * Restoring a checkpoint never silently leaves random weights: entries that match nothing
 * fail (or are reported with allowPartial); a wrong-shape deferred value leaves the layer
 * buildable; a wrong-shape slot fails at restore; an optimizer step is all or nothing;
 * Sequential frees its intermediate activations.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers, train } from "@eager/core";

const x = () => tf.tensor([[0.5, -1, 2, 0.1], [1, 1, -0.3, 0.7]]);
const mlp = (n = 3, more: { useBias?: boolean } = {}) => new layers.Sequential(Array.from({ length: n }, () => new layers.Dense({ units: 3, ...more })));
const values = (vs: readonly tf.Variable[]) => vs.map((v) => Array.from(v.dataSync() as ArrayLike<number>));

async function trainedBytes(model = mlp(), withOptimizer = true): Promise<Uint8Array> {
  const opt = new train.AdamOptimizer({ learningRate: 0.01 });
  opt.minimize(() => tf.sum(tf.square(model.apply(x()))));
  return new train.Checkpoint(withOptimizer ? { model, optimizer: opt } : { model }).toBytes();
}

describe("restore: entries that match nothing", () => {
  it("an unbuilt model with other layer names fails at its first call, not silently", async () => {
    const bytes = await trainedBytes(mlp(3), false);
    const other = new layers.Sequential([new layers.Dense({ units: 3, name: "a" }), new layers.Dense({ units: 3, name: "b" }), new layers.Dense({ units: 3, name: "c" })]);
    const report = new train.Checkpoint({ model: other }).fromBytes(bytes);
    expect(report.deferred.length).toBe(6);
    const before = tf.memory().numTensors;
    expect(() => other.apply(x())).toThrow(train.CheckpointError);
    expect(() => other.apply(x())).not.toThrow(); // built now; the error was reported once
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before);
  });
  it("an unbuilt model with one layer fewer fails at its first call", async () => {
    const bytes = await trainedBytes(mlp(3), false);
    const fewer = mlp(2);
    new train.Checkpoint({ model: fewer }).fromBytes(bytes);
    expect(() => fewer.apply(x())).toThrow(/match no weight of the built model.*dense_2\/kernel/);
  });
  it("a built model with fewer layers, or no bias, fails at restore and changes nothing", async () => {
    const bytes = await trainedBytes(mlp(3), false);
    for (const m of [mlp(2), mlp(3, { useBias: false })]) {
      m.apply(x()).dispose();
      const before = values(m.variables);
      expect(() => new train.Checkpoint({ model: m }).fromBytes(bytes)).toThrow(/match no weight or slot here/);
      expect(values(m.variables)).toEqual(before);
    }
  });
  it("twenty thousand extra entries are refused, not kept", async () => {
    const N = 20_000;
    const m = mlp(1);
    m.apply(x()).dispose();
    const entries = new Map<string, train.SafetensorEntry>();
    for (const [k, v] of m.namedVariables()) entries.set(`model/${k}`, { dtype: "float32", shape: v.shape, values: v.dataSync() as Float32Array });
    for (let i = 0; i < N; i++) entries.set(`model/dense/x${i}`, { dtype: "float32", shape: [0], values: new Float32Array(0) });
    const bytes = train.encodeSafetensors(entries);
    const ckpt = new train.Checkpoint({ model: m });
    expect(() => ckpt.fromBytes(bytes)).toThrow(`${N} values that match no weight or slot`);
    const report = ckpt.fromBytes(bytes, { allowPartial: true });
    expect(report.ignored.length).toBe(N);
    expect(report.restored.length).toBe(2);
    expect(m._deferred).toBe(null);
  }, 60_000);
  it("allowPartial restores a model alone from a file that also holds an optimizer", async () => {
    const src = mlp();
    const bytes = await trainedBytes(src, true);
    const m = mlp();
    m.apply(x()).dispose();
    expect(() => new train.Checkpoint({ model: m }).fromBytes(bytes)).toThrow(/tracks no "optimizer"/);
    const report = new train.Checkpoint({ model: m }).fromBytes(bytes, { allowPartial: true });
    expect(report.restored.length).toBe(6);
    expect(report.ignored.every((k) => k.startsWith("optimizer/"))).toBe(true);
    expect(values(m.variables)).toEqual(values(src.variables));
  });
  it("allowPartial reports existing values the file lacks and keeps them", async () => {
    const bytes = await trainedBytes(mlp(2), false);
    const m = mlp(3);
    m.apply(x()).dispose();
    const last = values(m.variables).slice(4);
    const report = new train.Checkpoint({ model: m }).fromBytes(bytes, { allowPartial: true });
    expect(report.missing).toEqual(["model/dense_2/kernel", "model/dense_2/bias"]);
    expect(values(m.variables).slice(4)).toEqual(last);
  });
});

describe("restore-on-create with a wrong shape", () => {
  it("keeps the saved value and leaves the layer buildable", async () => {
    const src = new layers.Sequential([new layers.Dense({ units: 3 })]);
    src.apply(tf.zeros([1, 5])).dispose();
    const bytes = await new train.Checkpoint({ model: src }).toBytes();
    const m = new layers.Sequential([new layers.Dense({ units: 3 })]);
    new train.Checkpoint({ model: m }).fromBytes(bytes);
    const dense = m.layers[0]!;
    expect(() => m.apply(x())).toThrow(tf.ShapeError); // input has 4 features, the file 5
    expect(dense.variables.length).toBe(0); // nothing half-built
    expect(() => m.apply(x())).toThrow(tf.ShapeError); // same clear error, not "already exists"
    const y = m.apply(tf.zeros([2, 5])); // the right input: the saved kernel is used
    expect(values(dense.variables)).toEqual(values(src.variables));
    y.dispose();
  });
});

describe("optimizer steps are all or nothing", () => {
  it("a wrong-shape slot for an existing variable fails at restore", async () => {
    const m = mlp(2);
    const bytes = await trainedBytes(m, true);
    const { tensors } = train.decodeSafetensors(bytes);
    tensors.set("optimizer/model/dense_1/bias/m", { dtype: "float32", shape: [4], values: new Float32Array(4) });
    const bad = train.encodeSafetensors(tensors);
    const opt = new train.AdamOptimizer({ learningRate: 0.01 });
    expect(() => new train.Checkpoint({ model: m, optimizer: opt }).fromBytes(bad)).toThrow(/"optimizer\/model\/dense_1\/bias\/m" is float32\[4\] in the file but its variable is float32\[3\]/);
    expect(opt.iterations).toBe(0);
  });
  it("a step that fails on its 4th variable changes nothing; a retry equals one clean step", () => {
    class Flaky extends train.MomentumOptimizer {
      failAt = -1;
      calls = 0;
      protected override update(v: tf.Variable, g: tf.Tensor, lr: number): void {
        if (this.calls++ === this.failAt) throw new Error("device lost");
        super.update(v, g, lr);
      }
    }
    const m = mlp(2);
    m.apply(x()).dispose();
    const start = values(m.variables);
    const opt = new Flaky({ learningRate: 0.1, momentum: 0.9 });
    opt.failAt = 3;
    const loss = () => tf.sum(tf.square(m.apply(x())));
    const before = tf.memory().numTensors;
    expect(() => opt.minimize(loss)).toThrow("device lost");
    expect(values(m.variables)).toEqual(start);
    expect(opt.iterations).toBe(0);
    expect(opt.slotEntries().length).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    opt.minimize(loss);
    const retried = values(m.variables);
    // the same single step from the same start, on a fresh model and optimizer
    const m2 = mlp(2);
    m2.apply(x()).dispose();
    m2.variables.forEach((v, i) => v.assign(tf.tensor(start[i]!, v.shape)));
    const clean = new train.MomentumOptimizer({ learningRate: 0.1, momentum: 0.9 });
    clean.minimize(() => tf.sum(tf.square(m2.apply(x()))));
    expect(retried).toEqual(values(m2.variables));
    expect(opt.iterations).toBe(1);
  });
});

describe("Sequential outside tidy", () => {
  it("leaves no intermediate activation alive", () => {
    const m = mlp(3);
    const input = x();
    m.apply(input).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) m.apply(input).dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
  it("gradients through it are unchanged", () => {
    const m = mlp(3);
    const input = x();
    const grads = tf.implicitGradients(() => tf.sum(tf.square(m.apply(input))))();
    expect(grads.length).toBe(6);
    for (const [g] of grads) expect(Number.isFinite(tf.sum(g!).dataSync()[0]!)).toBe(true);
    const inTidy = tf.tidy(() => tf.implicitGradients(() => tf.sum(tf.square(m.apply(input))))().map(([g]) => g!));
    grads.forEach(([g], i) => expect(Array.from(g!.dataSync())).toEqual(Array.from(inTidy[i]!.dataSync())));
  });
});
