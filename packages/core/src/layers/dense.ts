/**
 * Dense: y = activation(x W + b) on the last axis of an input of any rank >= 1. The kernel is
 * [inputDim, units]; leading axes are batch axes ([1, 1, 784] -> [1, 1, units]).
 */
import { add } from "../api/elementwise.js";
import { matmul } from "../api/linalg.js";
import { reshape } from "../api/movement.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapeStr } from "../shape.js";
import type { Tensor, Variable } from "../tensor.js";
import { getActivation, type ActivationIdentifier } from "./activations.js";
import type { Initializer, InitializerName } from "./initializers.js";
import { Layer, type LayerOptions } from "./layer.js";

/** Options of Dense. */
export interface DenseOptions extends LayerOptions {
  /** Output size. */
  readonly units: number;
  /** Applied after the bias (default "linear"). */
  readonly activation?: ActivationIdentifier;
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
  /** Default glorotUniform. */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Default zeros. */
  readonly biasInitializer?: Initializer | InitializerName;
}

/** Positive integer check for layer arguments. */
export function checkPositiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * A fully connected layer.
 * @example new Dense({ units: 10, activation: "relu" }).apply(zeros([2, 784])).shape // [2, 10]
 * @example new Dense(10) // same as { units: 10 }
 */
export class Dense extends Layer {
  readonly units: number;
  readonly useBias: boolean;
  private readonly activation: ((x: Tensor) => Tensor) | null;
  private readonly kernelInit: Initializer | InitializerName;
  private readonly biasInit: Initializer | InitializerName;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(options: DenseOptions | number, more: Omit<DenseOptions, "units"> = {}) {
    const o: DenseOptions = typeof options === "number" ? { ...more, units: options } : options;
    super(o);
    this.units = checkPositiveInt(o.units, "Dense: units");
    this.useBias = o.useBias ?? true;
    this.activation = getActivation(o.activation, "Dense");
    this.kernelInit = o.kernelInitializer ?? "glorotUniform";
    this.biasInit = o.biasInitializer ?? "zeros";
  }

  protected override build(x: Tensor): void {
    if (x.rank < 1) throw new ShapeError(`${this.path}: Dense needs an input of rank >= 1, got ${x.describe()}`);
    const inDim = x.shape[x.rank - 1]!;
    this.kernel = this.addWeight("kernel", [inDim, this.units], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight("bias", [this.units], this.biasInit);
  }

  call(x: Tensor): Tensor {
    const k = this.kernel!;
    const inDim = k.shape[0]!;
    if (x.rank < 1 || x.shape[x.rank - 1] !== inDim)
      throw new ShapeError(`${this.path}: input's last axis must be ${inDim} (kernel ${shapeStr(k.shape)}), got input ${shapeStr(x.shape)}`);
    let y: Tensor;
    if (x.rank === 2) y = matmul(x, k);
    else {
      const flat = reshape(x, [-1, inDim]);
      const prod = matmul(flat, k);
      y = reshape(prod, [...x.shape.slice(0, -1), this.units]);
      flat.dispose();
      prod.dispose();
    }
    return addBiasAndActivate(y, this.bias, this.activation);
  }
}

/** The tail shared by Dense and the convolutions: activation(y + bias), freeing what it replaces. */
export function addBiasAndActivate(y: Tensor, bias: Variable | null, activation: ((x: Tensor) => Tensor) | null): Tensor {
  if (bias) {
    const b = add(y, bias);
    y.dispose();
    y = b;
  }
  if (activation) {
    const a = activation(y);
    y.dispose();
    y = a;
  }
  return y;
}
