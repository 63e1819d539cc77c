/**
 * Normalization layers. BatchNormalization normalizes over every axis but the channel axis
 * with batch statistics while training (updating moving averages) and with the moving
 * averages at inference. LayerNormalization normalizes each example over its last axes.
 */
import { add, mul, rsqrt, sub } from "../api/elementwise.js";
import { stopGradient } from "../api/autodiff.js";
import { reshape } from "../api/movement.js";
import { moments } from "../api/nn.js";
import { tidy } from "../engine/memory.js";
import { AxisError, InvalidArgumentError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import type { Initializer, InitializerName } from "./initializers.js";
import { Layer, type LayerOptions } from "./layer.js";

/** Options shared by the normalization layers. */
export interface NormalizationOptions extends LayerOptions {
  /** Added to the variance (default 1e-3). */
  readonly epsilon?: number;
  /** Learn an offset beta (default true). */
  readonly center?: boolean;
  /** Learn a scale gamma (default true). */
  readonly scale?: boolean;
  readonly betaInitializer?: Initializer | InitializerName;
  readonly gammaInitializer?: Initializer | InitializerName;
}

function normalize(x: Tensor, m: Tensor, v: Tensor, eps: number, gamma: Tensor | null, beta: Tensor | null): Tensor {
  // y = (x - mean) / sqrt(var + eps) * gamma + beta
  return tidy(() => {
    let y = mul(sub(x, m), rsqrt(add(v, eps)));
    if (gamma) y = mul(y, gamma);
    if (beta) y = add(y, beta);
    return y;
  });
}

/** Options of BatchNormalization. */
export interface BatchNormalizationOptions extends NormalizationOptions {
  /** The channel axis (default -1). */
  readonly axis?: number;
  /** Moving average decay (default 0.99). */
  readonly momentum?: number;
}

/**
 * Batch normalization. Moving statistics are non-trainable variables ("moving_mean",
 * "moving_variance"), updated as m = momentum * m + (1 - momentum) * batch (biased variance).
 * @example const bn = new BatchNormalization(); bn.apply(x, { training: true })
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInit: Initializer | InitializerName;
  private readonly gammaInit: Initializer | InitializerName;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;

  constructor(options: BatchNormalizationOptions = {}) {
    super(options);
    this.axis = options.axis ?? -1;
    this.momentum = options.momentum ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-3;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new InvalidArgumentError(`BatchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new InvalidArgumentError(`BatchNormalization: epsilon must be > 0, got ${this.epsilon}`);
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.betaInit = options.betaInitializer ?? "zeros";
    this.gammaInit = options.gammaInitializer ?? "ones";
  }

  private channelAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 0 || a >= rank) throw new AxisError(`${this.path}: axis ${this.axis} is out of range for an input of rank ${rank}`);
    return a;
  }

  protected override build(x: Tensor): void {
    const c = x.shape[this.channelAxis(x.rank)]!;
    if (this.scale) this.gamma = this.addWeight("gamma", [c], this.gammaInit);
    if (this.center) this.beta = this.addWeight("beta", [c], this.betaInit);
    this.movingMean = this.addWeight("moving_mean", [c], "zeros", { trainable: false });
    this.movingVariance = this.addWeight("moving_variance", [c], "ones", { trainable: false });
  }

  call(x: Tensor, training: boolean): Tensor {
    const ax = this.channelAxis(x.rank);
    const c = x.shape[ax]!;
    const bshape = x.shape.map((d, i) => (i === ax ? c : 1));
    const reduceAxes = x.shape.map((_, i) => i).filter((i) => i !== ax);
    return tidy(() => {
      const g = this.gamma ? reshape(this.gamma, bshape) : null;
      const b = this.beta ? reshape(this.beta, bshape) : null;
      if (!training) return normalize(x, reshape(this.movingMean!, bshape), reshape(this.movingVariance!, bshape), this.epsilon, g, b);
      const { mean, variance } = moments(x, reduceAxes, true);
      const m = this.momentum;
      const bm = reshape(stopGradient(mean), [c]);
      const bv = reshape(stopGradient(variance), [c]);
      this.movingMean!.assign(add(mul(this.movingMean!, m), mul(bm, 1 - m)));
      this.movingVariance!.assign(add(mul(this.movingVariance!, m), mul(bv, 1 - m)));
      return normalize(x, mean, variance, this.epsilon, g, b);
    });
  }
}

/** Options of LayerNormalization. */
export interface LayerNormalizationOptions extends NormalizationOptions {
  /** Axes normalized over (default -1, the last). */
  readonly axis?: number | readonly number[];
}

/**
 * Layer normalization: each example normalized over `axis`, then scaled and shifted.
 * @example new LayerNormalization().apply(tensor([[1, 2, 3]])) // ≈ [[-1.22, 0, 1.22]]
 */
export class LayerNormalization extends Layer {
  readonly axis: readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInit: Initializer | InitializerName;
  private readonly gammaInit: Initializer | InitializerName;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(options: LayerNormalizationOptions = {}) {
    super(options);
    const a = options.axis ?? -1;
    this.axis = typeof a === "number" ? [a] : [...a];
    this.epsilon = options.epsilon ?? 1e-3;
    if (!(this.epsilon > 0)) throw new InvalidArgumentError(`LayerNormalization: epsilon must be > 0, got ${this.epsilon}`);
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.betaInit = options.betaInitializer ?? "zeros";
    this.gammaInit = options.gammaInitializer ?? "ones";
  }

  private axes(rank: number): number[] {
    return this.axis.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (n < 0 || n >= rank) throw new AxisError(`${this.path}: axis ${a} is out of range for an input of rank ${rank}`);
      return n;
    }).sort((p, q) => p - q);
  }

  protected override build(x: Tensor): void {
    const shape = this.axes(x.rank).map((a) => x.shape[a]!);
    if (this.scale) this.gamma = this.addWeight("gamma", shape, this.gammaInit);
    if (this.center) this.beta = this.addWeight("beta", shape, this.betaInit);
  }

  call(x: Tensor): Tensor {
    const axes = this.axes(x.rank);
    const bshape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    return tidy(() => {
      const { mean, variance } = moments(x, axes, true);
      return normalize(x, mean, variance, this.epsilon, this.gamma ? reshape(this.gamma, bshape) : null, this.beta ? reshape(this.beta, bshape) : null);
    });
  }
}
