/**
 * Network: a model written as plain code. A subclass tracks its layers in the constructor and
 * writes `call`; the network is itself a layer, so networks nest, and its variables carry
 * hierarchical names ("mnist_model/dense_1/kernel") that checkpoints rely on.
 */
import type { Tensor } from "../tensor.js";
import { Layer, type LayerOptions } from "./layer.js";

/**
 * A model defined by code. Track layers (and sub-networks) with `trackLayer`, then write `call`.
 * @example
 * class MNISTModel extends Network {
 *   layer1 = this.trackLayer(new Dense({ units: 10 }));
 *   layer2 = this.trackLayer(new Dense({ units: 10 }));
 *   call(input: Tensor) { return this.layer2.apply(this.layer1.apply(input)); }
 * }
 * new MNISTModel().apply(zeros([1, 1, 784])).shape // [1, 1, 10]
 */
export abstract class Network<I = Tensor, O = Tensor> extends Layer<I, O> {
  constructor(options: LayerOptions = {}) {
    super(options);
  }

  /**
   * Register a layer or sub-network so its variables belong to this network. Default names
   * are made unique among siblings ("dense", "dense_1", ...). Returns the layer.
   */
  trackLayer<L extends Layer<any, any>>(layer: L): L {
    return this.track(layer);
  }
}
