/**
 * Activation functions by name, and layers that apply one. Names are the op names
 * ("relu", "sigmoid", "softmax", ...); "linear" is the identity.
 */
import { elu, gelu, leakyRelu, relu, relu6, selu, sigmoid, softplus, tanh } from "../api/elementwise.js";
import { logSoftmax, softmax } from "../api/nn.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Layer, type LayerOptions } from "./layer.js";

/** An activation: a name or a function of one tensor. */
export type ActivationIdentifier =
  | "linear" | "relu" | "relu6" | "elu" | "selu" | "gelu" | "sigmoid" | "tanh" | "softplus" | "softmax" | "logSoftmax" | "leakyRelu"
  | ((x: Tensor) => Tensor);

const ACTIVATIONS: Record<Exclude<ActivationIdentifier, Function>, ((x: Tensor) => Tensor) | null> = {
  linear: null,
  relu,
  relu6,
  elu,
  selu,
  gelu,
  sigmoid,
  tanh,
  softplus,
  softmax: (x) => softmax(x, -1),
  logSoftmax: (x) => logSoftmax(x, -1),
  leakyRelu: (x) => leakyRelu(x),
};

/** The function for an activation name; null for "linear" (no op at all). */
export function getActivation(id: ActivationIdentifier | undefined, where: string): ((x: Tensor) => Tensor) | null {
  if (id === undefined) return null;
  if (typeof id === "function") return id;
  if (!(id in ACTIVATIONS)) throw new InvalidArgumentError(`${where}: unknown activation ${JSON.stringify(id)}; expected one of ${Object.keys(ACTIVATIONS).join(", ")} or a function`);
  return ACTIVATIONS[id];
}

/**
 * A layer applying an activation. @example new Activation("relu").apply(tensor([-1, 2])) // [0, 2]
 */
export class Activation extends Layer {
  private readonly fn: ((x: Tensor) => Tensor) | null;
  constructor(activation: ActivationIdentifier | ({ activation: ActivationIdentifier } & LayerOptions)) {
    const opts = typeof activation === "object" ? activation : { activation };
    super(opts);
    this.fn = getActivation(opts.activation, "Activation");
  }
  call(x: Tensor): Tensor {
    return this.fn ? this.fn(x) : x;
  }
}

/** max(x, 0) as a layer. */
export class ReLU extends Layer {
  call(x: Tensor): Tensor {
    return relu(x);
  }
}

/** x if x > 0 else alpha * x, as a layer (alpha default 0.3, as in Keras). */
export class LeakyReLU extends Layer {
  readonly alpha: number;
  constructor(options: { alpha?: number } & LayerOptions = {}) {
    super(options);
    this.alpha = options.alpha ?? 0.3;
  }
  call(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }
}

/** Softmax over `axis` (default the last), as a layer. */
export class Softmax extends Layer {
  readonly axis: number;
  constructor(options: { axis?: number } & LayerOptions = {}) {
    super(options);
    this.axis = options.axis ?? -1;
  }
  call(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}
