/**
 * Keras-style training on networks: compile, fit (tensors and datasets, validation,
 * callbacks, stopTraining), evaluate, predict, summary, and Layer.apply on nested arrays.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { data, layers, train } from "@eager/core";

function line(): { x: tf.Tensor; y: tf.Tensor } {
  const xs = Array.from({ length: 32 }, (_, i) => i / 8 - 2);
  return { x: tf.tensor(xs, [32, 1]), y: tf.tensor(xs.map((v) => 3 * v + 1), [32, 1]) };
}

describe("compile, fit, evaluate, predict", () => {
  it("fits a line and reports loss and metrics per epoch, without leaking", async () => {
    tf.setRandomSeed(1);
    const { x, y } = line();
    const model = tf.sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: train.sgd(0.05), loss: "meanSquaredError", metrics: ["mae"] });
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    const h = await model.fit(x, y, { epochs: 60, batchSize: 8, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(h.epoch).toHaveLength(60);
    expect(Object.keys(h.history).sort()).toEqual(["loss", "mae"]);
    expect(h.history.loss![59]!).toBeLessThan(1e-3);
    expect(h.history.loss![59]!).toBeLessThan(h.history.loss![0]!);
    const [k, b] = model.variables.map((v) => v.dataSync()[0]!);
    expect(k).toBeCloseTo(3, 1);
    expect(b).toBeCloseTo(1, 1);
    const ev = model.evaluate(x, y, { batchSize: 5 }) as tf.Tensor[];
    expect(ev).toHaveLength(2);
    expect(ev[0]!.item()).toBeCloseTo(h.history.loss![59]!, 2);
    tf.dispose(ev);
    const p = model.predict([[0], [1]], { batchSize: 1 });
    expect(p.shape).toEqual([2, 1]);
    expect(p.dataSync()[1]!).toBeCloseTo(4, 1);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("validationData and validationSplit give val_ logs; accuracy picks the loss's variant", async () => {
    const x = tf.tensor([[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]);
    const y = tf.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [10, 1]);
    const model = tf.sequential({ layers: [layers.dense({ units: 1, inputShape: [1], activation: "sigmoid" })] });
    model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy"] });
    const h = await model.fit(x, y, { epochs: 2, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(["acc", "loss", "val_acc", "val_loss"]);
    const h2 = await model.fit(x, y, { epochs: 1, validationData: [x, y], verbose: 0, shuffle: false });
    // Validation runs after the epoch's steps: it equals evaluate() on the same data now.
    const [loss, acc] = model.evaluate(x, y) as tf.Tensor[];
    expect(h2.history.val_loss![0]!).toBeCloseTo(loss!.item() as number, 5);
    expect(h2.history.val_acc![0]!).toBeCloseTo(acc!.item() as number, 5);
    tf.dispose([loss, acc]);
  });
  it("fits a Dataset of { xs, ys } batches and calls every callback in order", async () => {
    const { x, y } = line();
    const ds = data.Dataset.fromTensorSlices({ xs: x, ys: y }).batch(16);
    const model = tf.sequential({ layers: [new layers.Dense({ units: 1 })] });
    model.compile({ optimizer: train.sgd(0.01), loss: (a, b) => b.sub(a).square().mean(-1) });
    const seen: string[] = [];
    const h = await model.fit(ds, {
      epochs: 2,
      verbose: 0,
      callbacks: {
        onTrainBegin: () => void seen.push("train"),
        onEpochBegin: (e) => void seen.push(`e${e}`),
        onBatchEnd: (b, logs) => void seen.push(`b${b}:${typeof logs?.loss}`),
        onEpochEnd: async (e) => void seen.push(`/e${e}`),
        onTrainEnd: () => void seen.push("/train"),
      },
    });
    expect(seen).toEqual(["train", "e0", "b0:number", "b1:number", "/e0", "e1", "b0:number", "b1:number", "/e1", "/train"]);
    expect(h.history.loss).toHaveLength(2);
  });
  it("stopTraining set in a callback ends fit", async () => {
    const { x, y } = line();
    const model = tf.sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: "sgd", loss: "mse" });
    const h = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: { onEpochEnd: (e) => void (e === 2 && (model.stopTraining = true)) } });
    expect(h.epoch).toEqual([0, 1, 2]);
  });
  it("errors name the fix", async () => {
    const model = tf.sequential({ layers: [layers.dense({ units: 1 })] });
    await expect(model.fit([[1]], [[1]])).rejects.toThrow(/compile/);
    expect(() => model.compile({ optimizer: "sgd", loss: "nope" as never })).toThrow(/unknown loss "nope"/);
    model.compile({ optimizer: "sgd", loss: "mse" });
    await expect(model.fit([[1], [2]], [[1]], { verbose: 0 })).rejects.toThrow(tf.ShapeError);
  });
  it("a Network subclass trains too", async () => {
    class Two extends tf.Network {
      readonly a: layers.Dense;
      readonly b: layers.Dense;
      constructor(hidden: number) {
        super();
        this.a = this.trackLayer(new layers.Dense({ units: hidden, activation: "tanh" }));
        this.b = this.trackLayer(new layers.Dense({ units: 1 }));
      }
      call(x: tf.Tensor): tf.Tensor {
        return this.b.apply(this.a.apply(x));
      }
    }
    const { x, y } = line();
    const m = new Two(4);
    m.compile({ optimizer: train.adam(0.05), loss: "mse" });
    const h = await m.fit(x, y, { epochs: 30, verbose: 0 });
    expect(h.history.loss![29]!).toBeLessThan(h.history.loss![0]! / 4);
  });
});

describe("summary and apply on nested arrays", () => {
  it("summary lists layers, output shapes and parameter counts (built from inputShape)", () => {
    const model = tf.sequential({ layers: [layers.dense({ units: 16, inputShape: [3], activation: "relu" }), layers.dropout({ rate: 0.5 }), layers.dense({ units: 2 })] });
    const lines: string[] = [];
    model.summary(65, (l) => lines.push(l));
    const text = lines.join("\n");
    expect(text).toMatch(/dense \(Dense\)\s+\[null,16\]\s+64/);
    expect(text).toMatch(/dropout \(Dropout\)\s+\[null,16\]\s+0/);
    expect(text).toMatch(/dense_1 \(Dense\)\s+\[null,2\]\s+34/);
    expect(text).toContain("Total params: 98");
    expect(text).toContain("Trainable params: 98");
  });
  it("summary of an unbuilt model says so", () => {
    const lines: string[] = [];
    tf.sequential({ layers: [layers.dense({ units: 2 })] }).summary(65, (l) => lines.push(l));
    expect(lines.join("\n")).toMatch(/not built yet/);
  });
  it("Layer.apply accepts nested arrays and frees the converted input", () => {
    const d = new layers.Dense({ units: 2, kernelInitializer: "ones" });
    const before = tf.memory().numTensors;
    const y = d.apply([[0, 1]]);
    expect(Array.from(y.dataSync())).toEqual([1, 1]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before + 2); // the kernel and bias
  });
});
