/** Network: lazy building, layer tracking, nesting and stable hierarchical variable names. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers, Network } from "@eager/core";

class MNISTModel extends Network {
  layer1: layers.Dense;
  layer2: layers.Dense;
  constructor() {
    super();
    this.layer1 = this.trackLayer(new layers.Dense({ units: 10 }));
    this.layer2 = this.trackLayer(new layers.Dense({ units: 10 }));
  }
  call(input: tf.Tensor): tf.Tensor {
    return this.layer2.apply(this.layer1.apply(input));
  }
}

class Block extends Network {
  dense = this.trackLayer(new layers.Dense({ units: 3, activation: "relu" }));
  bn = this.trackLayer(new layers.BatchNormalization());
  call(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.bn.apply(this.dense.apply(x), { training });
  }
}

class Outer extends Network {
  a = this.trackLayer(new Block());
  b = this.trackLayer(new Block());
  head = this.trackLayer(new layers.Dense({ units: 1, name: "head" }));
  lastTraining: boolean | null = null;
  call(x: tf.Tensor, training: boolean): tf.Tensor {
    this.lastTraining = training;
    return this.head.apply(this.b.apply(this.a.apply(x, { training }), { training }));
  }
}

describe("Network", () => {
  it("runs the seed's MNISTModel: [1, 1, 784] -> [1, 1, 10], variables built lazily", () => {
    const m = new MNISTModel();
    expect(m.variables).toEqual([]);
    expect(m.built).toBe(false);
    const y = m.apply(tf.zeros([1, 1, 784]));
    expect(y.shape).toEqual([1, 1, 10]);
    expect(m.built).toBe(true);
    expect(m.variables.map((v) => v.name)).toEqual(["mnist_model/dense/kernel", "mnist_model/dense/bias", "mnist_model/dense_1/kernel", "mnist_model/dense_1/bias"]);
    expect(m.variables.map((v) => v.shape)).toEqual([[784, 10], [10], [10, 10], [10]]);
    expect(m.trainableVariables.length).toBe(4);
  });

  it("nests networks with hierarchical names, and passes training down", () => {
    const m = new Outer();
    m.apply(tf.ones([2, 4]), { training: true });
    expect(m.lastTraining).toBe(true);
    m.apply(tf.ones([2, 4]));
    expect(m.lastTraining).toBe(false);
    expect(m.namedVariables().map(([n]) => n)).toEqual([
      "block/dense/kernel", "block/dense/bias", "block/batch_normalization/gamma", "block/batch_normalization/beta",
      "block/batch_normalization/moving_mean", "block/batch_normalization/moving_variance",
      "block_1/dense/kernel", "block_1/dense/bias", "block_1/batch_normalization/gamma", "block_1/batch_normalization/beta",
      "block_1/batch_normalization/moving_mean", "block_1/batch_normalization/moving_variance",
      "head/kernel", "head/bias",
    ]);
    expect(m.b.dense.kernel!.name).toBe("outer/block_1/dense/kernel");
    expect(m.trainableVariables.length).toBe(10);
    expect(m.nonTrainableVariables.map((v) => v.name)).toEqual([
      "outer/block/batch_normalization/moving_mean", "outer/block/batch_normalization/moving_variance",
      "outer/block_1/batch_normalization/moving_mean", "outer/block_1/batch_normalization/moving_variance",
    ]);
    expect(m.layers.map((l) => l.name)).toEqual(["block", "block_1", "head"]);
  });

  it("gives implicitGradients every trainable variable, and none of the frozen ones", () => {
    const m = new Outer();
    const x = tf.ones([2, 4]);
    const pairs = tf.implicitGradients(() => tf.sum(m.apply(x, { training: true })))();
    expect(pairs.map(([, v]) => v.name)).toEqual(m.trainableVariables.map((v) => v.name));
    class Frozen extends Network {
      inner = this.trackLayer(new layers.Dense({ units: 2, trainable: false }));
      top = this.trackLayer(new layers.Dense(1));
      call(x: tf.Tensor) { return this.top.apply(this.inner.apply(x)); }
    }
    const f = new Frozen();
    const p2 = tf.implicitGradients(() => tf.sum(f.apply(x)))();
    expect(p2.map(([, v]) => v.name)).toEqual(["frozen/dense_1/kernel", "frozen/dense_1/bias"]);
  });

  it("explicit names are kept; clashes and double tracking are errors", () => {
    class Clash extends Network {
      call(x: tf.Tensor) { return x; }
      add(l: layers.Layer) { return this.trackLayer(l); }
    }
    const c = new Clash({ name: "my_model" });
    c.add(new layers.Dense({ units: 1, name: "fc" }));
    expect(() => c.add(new layers.Dense({ units: 1, name: "fc" }))).toThrow(tf.InvalidArgumentError);
    const shared = new layers.Dense(1);
    c.add(shared);
    expect(c.add(shared)).toBe(shared);
    expect(() => new Clash().add(shared)).toThrow(/already tracked/);
    expect(() => c.add(c)).toThrow(/inside itself/);
    expect(() => new layers.Dense({ units: 1, name: "bad name" })).toThrow(tf.InvalidArgumentError);
    c.apply(tf.zeros([1]));
    expect(c.name).toBe("my_model");
  });

  it("snake-cases class names like TensorFlow", () => {
    expect(layers.toSnakeCase("MNISTModel")).toBe("mnist_model");
    expect(layers.toSnakeCase("Conv2D")).toBe("conv2d");
    expect(layers.toSnakeCase("MaxPool2D")).toBe("max_pool2d");
    expect(layers.toSnakeCase("BatchNormalization")).toBe("batch_normalization");
  });

  it("dispose frees every weight", () => {
    const m = new MNISTModel();
    m.apply(tf.zeros([1, 784])).dispose();
    const before = tf.memory().numTensors;
    m.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});
