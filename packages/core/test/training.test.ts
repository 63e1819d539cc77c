/** Training on a small MNIST slice: the loss falls, accuracy rises well above chance, and 200 steps leak nothing. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { data, layers, losses, metrics, Network, train } from "@eager/core";
import { loadMnist } from "../../examples/src/mnist/data.js";

class SmallMLP extends Network {
  hidden = this.trackLayer(new layers.Dense({ units: 32, activation: "relu", kernelInitializer: layers.initializers.heNormal({ seed: 1 }) }));
  dropout = this.trackLayer(new layers.Dropout({ rate: 0.1, seed: 2 }));
  out = this.trackLayer(new layers.Dense({ units: 10, kernelInitializer: layers.initializers.glorotUniform({ seed: 3 }) }));
  call(x: tf.Tensor, training: boolean) {
    return this.out.apply(this.dropout.apply(this.hidden.apply(x), { training }));
  }
}

function accuracy(model: SmallMLP, images: tf.Tensor, labels: tf.Tensor): number {
  const acc = new metrics.Accuracy();
  tf.tidy(() => acc.update(labels, model.apply(images)));
  const r = acc.result();
  acc.reset();
  return r;
}

describe("training on an MNIST slice", () => {
  it("loss falls and test accuracy is far above chance after a few epochs", async () => {
    const { train: tr, test } = await loadMnist({ limit: 600, testLimit: 300 });
    const images = tf.tensor(tr.images, [tr.count, 784]);
    const labels = tf.tensor(tr.labels, [tr.count], "int32");
    const testImages = tf.tensor(test.images, [test.count, 784]);
    const testLabels = tf.tensor(test.labels, [test.count], "int32");
    const model = new SmallMLP();
    const opt = new train.AdamOptimizer({ learningRate: 3e-3 });
    const ds = data.Dataset.fromTensorSlices([images, labels]).shuffle(600, { seed: 1 }).batch(50);
    const lossFn = (x: tf.Tensor, y: tf.Tensor) => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x, { training: true }) });
    const epochLoss: number[] = [];
    const before = accuracy(model, testImages, testLabels);
    for (let e = 0; e < 4; e++) {
      const m = new metrics.Mean();
      for await (const [x, y] of ds) {
        tf.tidy(() => {
          const [loss, grads] = tf.implicitValueAndGradients(lossFn)(x, y);
          opt.applyGradients(grads);
          m.update(loss);
        });
        x.dispose();
        y.dispose();
      }
      epochLoss.push(m.result());
      m.reset();
    }
    const after = accuracy(model, testImages, testLabels);
    expect(epochLoss[0]).toBeGreaterThan(0.8);
    expect(epochLoss[3]).toBeLessThan(epochLoss[0]! * 0.5);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.75);
    expect(opt.iterations).toBe(4 * 12);
  });

  it("200 training steps leave the live tensor count flat", () => {
    const model = new SmallMLP();
    const opt = new train.MomentumOptimizer({ learningRate: 0.05, clipNorm: 5 });
    const x = tf.randomUniform([8, 64], 0, 1, "float32", 4);
    const y = tf.randomUniform([8], 0, 10, "int32", 5);
    const step = () =>
      tf.tidy(() => {
        const grads = tf.implicitGradients(() => losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x, { training: true }) }))();
        opt.applyGradients(grads);
      });
    step();
    const start = tf.memory();
    for (let i = 0; i < 200; i++) {
      step();
      if (i % 50 === 49) expect(tf.memory().numTensors).toBe(start.numTensors);
    }
    expect(tf.memory().numTensors).toBe(start.numTensors);
    expect(tf.memory().numBytes).toBe(start.numBytes);
  });
});
