/**
 * Convolution layers on NHWC inputs: Conv2D (kernel [kh, kw, inChannels, filters]) and
 * DepthwiseConv2D (kernel [kh, kw, inChannels, depthMultiplier]). Padding "valid" or "same".
 */
import { conv2d, depthwiseConv2d } from "../api/conv.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import { getActivation, type ActivationIdentifier } from "./activations.js";
import { addBiasAndActivate, checkPositiveInt } from "./dense.js";
import type { Initializer, InitializerName } from "./initializers.js";
import { Layer, type LayerOptions } from "./layer.js";

/** A size for both spatial axes, or [height, width]. */
export type Size2D = number | readonly [number, number];

/** [h, w] from a number or pair, checking positive integers. */
export function pair(v: Size2D, what: string): [number, number] {
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) throw new InvalidArgumentError(`${what} must be a number or [height, width], got ${JSON.stringify(v)}`);
  return [checkPositiveInt(p[0], what), checkPositiveInt(p[1], what)];
}

/** Options shared by the convolution layers. */
export interface ConvBaseOptions extends LayerOptions {
  readonly kernelSize: Size2D;
  /** Default 1. */
  readonly strides?: Size2D;
  /** Default "valid". */
  readonly padding?: "valid" | "same";
  readonly activation?: ActivationIdentifier;
  /** Default true. */
  readonly useBias?: boolean;
  /** Default glorotUniform. */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Default zeros. */
  readonly biasInitializer?: Initializer | InitializerName;
}

abstract class ConvBase extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";
  readonly useBias: boolean;
  protected readonly activation: ((x: Tensor) => Tensor) | null;
  protected readonly kernelInit: Initializer | InitializerName;
  protected readonly biasInit: Initializer | InitializerName;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(o: ConvBaseOptions, kind: string) {
    super(o);
    this.kernelSize = pair(o.kernelSize, `${kind}: kernelSize`);
    this.strides = pair(o.strides ?? 1, `${kind}: strides`);
    this.padding = o.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") throw new InvalidArgumentError(`${kind}: padding must be "valid" or "same", got ${JSON.stringify(o.padding)}`);
    this.useBias = o.useBias ?? true;
    this.activation = getActivation(o.activation, kind);
    this.kernelInit = o.kernelInitializer ?? "glorotUniform";
    this.biasInit = o.biasInitializer ?? "zeros";
  }

  protected checkInput(x: Tensor): number {
    if (x.rank !== 4) throw new ShapeError(`${this.path}: expects NHWC input of rank 4, got ${x.describe()}`);
    return x.shape[3]!;
  }

  protected finish(y: Tensor): Tensor {
    return addBiasAndActivate(y, this.bias, this.activation);
  }
}

/** Options of Conv2D. */
export interface Conv2DOptions extends ConvBaseOptions {
  /** Output channels. */
  readonly filters: number;
}

/**
 * 2-D convolution over NHWC images.
 * @example new Conv2D({ filters: 32, kernelSize: 3, activation: "relu" }).apply(zeros([1, 28, 28, 1])).shape // [1, 26, 26, 32]
 */
export class Conv2D extends ConvBase {
  readonly filters: number;
  constructor(options: Conv2DOptions) {
    super(options, "Conv2D");
    this.filters = checkPositiveInt(options.filters, "Conv2D: filters");
  }
  protected override build(x: Tensor): void {
    const c = this.checkInput(x);
    this.kernel = this.addWeight("kernel", [...this.kernelSize, c, this.filters], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight("bias", [this.filters], this.biasInit);
  }
  call(x: Tensor): Tensor {
    this.checkInput(x);
    return this.finish(conv2d(x, this.kernel!, this.strides, this.padding));
  }
}

/** Options of DepthwiseConv2D. */
export interface DepthwiseConv2DOptions extends ConvBaseOptions {
  /** Output channels per input channel (default 1). */
  readonly depthMultiplier?: number;
}

/**
 * Depthwise 2-D convolution: each input channel convolved with its own filters.
 * @example new DepthwiseConv2D({ kernelSize: 3 }).apply(zeros([1, 8, 8, 4])).shape // [1, 6, 6, 4]
 */
export class DepthwiseConv2D extends ConvBase {
  readonly depthMultiplier: number;
  constructor(options: DepthwiseConv2DOptions) {
    super(options, "DepthwiseConv2D");
    this.depthMultiplier = checkPositiveInt(options.depthMultiplier ?? 1, "DepthwiseConv2D: depthMultiplier");
  }
  protected override build(x: Tensor): void {
    const c = this.checkInput(x);
    this.kernel = this.addWeight("depthwise_kernel", [...this.kernelSize, c, this.depthMultiplier], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight("bias", [c * this.depthMultiplier], this.biasInit);
  }
  call(x: Tensor): Tensor {
    this.checkInput(x);
    return this.finish(depthwiseConv2d(x, this.kernel!, this.strides, this.padding));
  }
}
