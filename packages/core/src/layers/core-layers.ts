/**
 * Shape and regularization layers without weights: Flatten ([n, ...] -> [n, prod]) and
 * Dropout (seeded; active only when `training` is true, scaling kept units by 1 / (1 - rate)).
 */
import { cast, greaterEqual, mul } from "../api/elementwise.js";
import { reshape } from "../api/movement.js";
import { randomUniformFrom } from "../api/random.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Layer, type LayerOptions } from "./layer.js";

/** Keep the first axis, merge the rest. @example new Flatten().apply(zeros([2, 3, 4])).shape // [2, 12] */
export class Flatten extends Layer {
  call(x: Tensor): Tensor {
    if (x.rank < 1) throw new ShapeError(`${this.path}: Flatten needs an input of rank >= 1, got ${x.describe()}`);
    const rest = x.shape.slice(1).reduce((a, b) => a * b, 1);
    return reshape(x, [x.shape[0]!, rest]);
  }
}

/** Options of Dropout. */
export interface DropoutOptions extends LayerOptions {
  /** Fraction of units to drop, in [0, 1). */
  readonly rate: number;
  /** Seed of the masks; call k uses a seed derived from it and k, so runs repeat exactly. */
  readonly seed?: number;
}

/**
 * Randomly zero a fraction `rate` of the inputs while training; identity at inference.
 * @example new Dropout({ rate: 0.5, seed: 1 }).apply(x, { training: true })
 */
export class Dropout extends Layer {
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;
  constructor(options: DropoutOptions | number) {
    const o = typeof options === "number" ? { rate: options } : options;
    super(o);
    if (typeof o.rate !== "number" || !(o.rate >= 0 && o.rate < 1)) throw new InvalidArgumentError(`Dropout: rate must be in [0, 1), got ${String(o.rate)}`);
    this.rate = o.rate;
    this.seed = o.seed;
  }
  call(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) return x;
    // The seed is computed per draw, so a compiled call draws a new mask each time, as an eager call does.
    const base = this.seed;
    const seed = base === undefined ? undefined : () => (base + Math.imul(++this.calls, 0x9e3779b1)) >>> 0;
    const u = randomUniformFrom(x.shape, 0, 1, "float32", seed);
    const keep = greaterEqual(u, this.rate);
    const mask = cast(keep, x.dtype);
    const scaled = mul(mask, 1 / (1 - this.rate));
    const y = mul(x, scaled);
    for (const t of [u, keep, mask, scaled]) t.dispose();
    return y;
  }
}
