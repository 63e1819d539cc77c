/**
 * Sequential: a network that applies its layers one after another. Layers are tracked in
 * order, so variable names follow it ("sequential/dense/kernel", "sequential/dense_1/kernel").
 */
import type { Tensor } from "../tensor.js";
import type { Layer, LayerOptions } from "./layer.js";
import { Network } from "./network.js";

/**
 * Layers applied in order, passing `training` through.
 * @example const mlp = new Sequential([new Dense({ units: 256, activation: "relu" }), new Dense(10)]);
 */
export class Sequential extends Network {
  constructor(layers: readonly Layer[] = [], options: LayerOptions = {}) {
    super(options);
    for (const l of layers) this.add(l);
  }
  /** Append a layer. Returns this sequential. */
  add(layer: Layer): this {
    this.trackLayer(layer);
    return this;
  }
  call(input: Tensor, training: boolean): Tensor {
    let x = input;
    for (const l of this.layers as readonly Layer[]) {
      const y = l.apply(x, { training });
      // An intermediate activation is ours: free it now (a watching tape keeps what it needs).
      if (x !== input && y !== x) x.dispose();
      x = y;
    }
    return x;
  }
}
