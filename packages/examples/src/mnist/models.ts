/**
 * The MNIST models, written as plain code: the two-layer linear model from the original
 * eager example, an MLP (784-256-10, ReLU) and a small CNN
 * (Conv2D-MaxPool-Conv2D-MaxPool-Dense). All take images [batch, 784] and return logits.
 */
import { layers, Network, reshape, type Tensor } from "@eager/core";

const { Dense, Conv2D, MaxPool2D, Flatten, initializers } = layers;

/** The original example's model: two Dense(10) layers, no activation. */
export class MNISTModel extends Network {
  layer1: layers.Dense;
  layer2: layers.Dense;
  constructor() {
    super();
    this.layer1 = this.trackLayer(new Dense({ units: 10 }));
    this.layer2 = this.trackLayer(new Dense({ units: 10 }));
  }
  call(input: Tensor): Tensor {
    return this.layer2.apply(this.layer1.apply(input));
  }
}

/** 784-256-10 with ReLU. */
export class MLP extends Network {
  hidden: layers.Dense;
  out: layers.Dense;
  constructor(seed = 1) {
    super({ name: "mlp" });
    this.hidden = this.trackLayer(new Dense({ units: 256, activation: "relu", kernelInitializer: initializers.heNormal({ seed }) }));
    this.out = this.trackLayer(new Dense({ units: 10, kernelInitializer: initializers.glorotUniform({ seed: seed + 1 }) }));
  }
  call(input: Tensor): Tensor {
    return this.out.apply(this.hidden.apply(input));
  }
}

/** conv 3x3x16 - maxpool 2 - conv 3x3x32 - maxpool 2 - dense 10 (valid padding: 28-26-13-11-5). */
export class CNN extends Network {
  conv1: layers.Conv2D;
  pool1: layers.MaxPool2D;
  conv2: layers.Conv2D;
  pool2: layers.MaxPool2D;
  flatten: layers.Flatten;
  out: layers.Dense;
  constructor(options: { seed?: number; filters?: [number, number] } = {}) {
    super({ name: "cnn" });
    const seed = options.seed ?? 1;
    const [f1, f2] = options.filters ?? [16, 32];
    this.conv1 = this.trackLayer(new Conv2D({ filters: f1, kernelSize: 3, activation: "relu", kernelInitializer: initializers.heNormal({ seed }) }));
    this.pool1 = this.trackLayer(new MaxPool2D({ poolSize: 2 }));
    this.conv2 = this.trackLayer(new Conv2D({ filters: f2, kernelSize: 3, activation: "relu", kernelInitializer: initializers.heNormal({ seed: seed + 1 }) }));
    this.pool2 = this.trackLayer(new MaxPool2D({ poolSize: 2 }));
    this.flatten = this.trackLayer(new Flatten());
    this.out = this.trackLayer(new Dense({ units: 10, kernelInitializer: initializers.glorotUniform({ seed: seed + 2 }) }));
  }
  call(input: Tensor): Tensor {
    const img = reshape(input, [-1, 28, 28, 1]);
    return this.out.apply(this.flatten.apply(this.pool2.apply(this.conv2.apply(this.pool1.apply(this.conv1.apply(img))))));
  }
}
