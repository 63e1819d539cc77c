/**
 * The Layer base class: a callable with weights created lazily on the first call, from the
 * input's shape. Layers hold sub-layers (tracked in order), so a model is a tree of layers
 * whose weights have stable hierarchical names ("mnist_model/dense_1/kernel").
 */
import { tensor, variable } from "../api/creation.js";
import type { DType, TypedArray } from "../dtype.js";
import { isFloat } from "../dtype.js";
import { InvalidArgumentError, ShapeError, DTypeError } from "../errors.js";
import { shapeStr, shapesEqual } from "../shape.js";
import { toTensor } from "../engine/dispatch.js";
import { Tensor, type TensorLike, type Variable } from "../tensor.js";
import { getInitializer, type Initializer, type InitializerName } from "./initializers.js";
import { checkRestoredAllUsed } from "./restore-check.js";
import { outsideTrace } from "../compile/host.js";

/** Options every layer accepts. */
export interface LayerOptions {
  /** The layer's name; unique among its siblings. Default: the class name in snake_case. */
  readonly name?: string;
  /** Whether its weights are trained (default true). */
  readonly trainable?: boolean;
  /** Dtype of its weights. Default: the dtype of the first input when it is a float, else float32. */
  readonly dtype?: DType;
  /**
   * Shape of one input example, without the batch axis (TF.js's `inputShape`): lets a model
   * whose first layer has it build itself (for `summary()` and `compile()`) before any data.
   */
  readonly inputShape?: readonly number[];
}

/** What `apply` accepts: `I`, or (for tensor inputs) anything a tensor accepts, such as nested arrays. */
export type ApplyInput<I> = I | (Tensor extends I ? TensorLike : never);

/** Options of `apply`. */
export interface ApplyOptions {
  /** Training mode: dropout drops, batch normalization uses batch statistics. Default false. */
  readonly training?: boolean;
}

/** Values waiting for a weight that does not exist yet (restore-on-create). */
export interface DeferredValue {
  readonly values: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** "MNISTModel" -> "mnist_model", "Conv2D" -> "conv2d", "MaxPool2D" -> "max_pool2d". */
export function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z0-9]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

const NAME_RE = /^[A-Za-z0-9_.\-]+$/;

/**
 * Base class of layers and networks. Subclasses implement `call(input, training)` and, for
 * weights, `build(input)`, which runs once before the first call.
 * @example const d = new Dense(10); const y = d.apply(zeros([2, 784])); d.variables.length // 2
 */
export abstract class Layer<I = Tensor, O = Tensor> {
  /** The name among its siblings. */
  name: string;
  /** Whether its weights (and its sub-layers') are trainable. */
  readonly trainable: boolean;
  /** Dtype of the weights, fixed at build time. */
  dtype: DType | undefined;
  /** Whether `build` has run. */
  built = false;
  /** The layer that tracks this one, if any. */
  parent: Layer<any, any> | null = null;
  /** @internal Whether the name was chosen by default (and may be made unique by a parent). */
  _autoName: boolean;
  private readonly ownWeights: [string, Variable][] = [];
  private readonly subLayers: Layer<any, any>[] = [];
  /** Shape of one input example without the batch axis, if given (see LayerOptions.inputShape). */
  readonly inputShape: readonly number[] | undefined;
  /** The output shape of the latest `apply` (batch axis included), if the output was a tensor. */
  outputShape: readonly number[] | undefined;
  /** @internal Saved values for weights not created yet, keyed by path relative to this layer. */
  _deferred: Map<string, DeferredValue> | null = null;
  /** @internal Whether deferred values left unused after the first call are an error (false after a partial restore). */
  _deferredStrict = true;

  constructor(options: LayerOptions = {}) {
    if (options.name !== undefined && (typeof options.name !== "string" || !NAME_RE.test(options.name)))
      throw new InvalidArgumentError(`${new.target.name}: name must be letters, digits, "_", "-" or ".", got ${JSON.stringify(options.name)}`);
    this.name = options.name ?? toSnakeCase(new.target.name);
    this._autoName = options.name === undefined;
    this.trainable = options.trainable ?? true;
    this.dtype = options.dtype;
    this.inputShape = options.inputShape ? [...options.inputShape] : undefined;
  }

  /** Create weights for an input like `input`. Called once, before the first `call`. */
  protected build(_input: I): void {}

  /** The computation. `training` is true while training (dropout, batch statistics). */
  abstract call(input: I, training: boolean): O;

  /** Build on first use, then run `call`. @example layer.apply(x, { training: true }) */
  apply(given: ApplyInput<I>, options: ApplyOptions | boolean = {}): O {
    const training = typeof options === "boolean" ? options : (options.training ?? false);
    // Nested arrays, typed arrays and numbers become a tensor, as every op accepts them; an
    // array holding tensors is a list input (such as a recurrent layer's [x, ...states]) and stays one.
    const tensorList = Array.isArray(given) && given.some((e) => e instanceof Tensor);
    const converted = !(given instanceof Tensor) && !tensorList && (Array.isArray(given) || ArrayBuffer.isView(given) || typeof given === "number");
    const input = (converted ? toTensor(given as TensorLike, `${this.name}.apply`) : given) as I;
    let out: O | undefined;
    try {
      out = this.applyTensor(input, training);
      if (out instanceof Tensor) this.outputShape = out.shape;
      return out;
    } finally {
      if (converted && (out as unknown) !== input) (input as unknown as Tensor).dispose();
    }
  }

  private applyTensor(input: I, training: boolean): O {
    if (this.built) return this.call(input, training);
    const dtype = this.dtype;
    const weights = this.ownWeights.length;
    try {
      if (this.dtype === undefined) {
        const dt = (input as { dtype?: DType } | null)?.dtype;
        this.dtype = dt && isFloat(dt) ? dt : "float32";
      }
      this.build(input);
    } catch (e) {
      // A failed build leaves nothing behind: the next apply builds from scratch.
      for (const [, v] of this.ownWeights.splice(weights)) v.dispose();
      this.dtype = dtype;
      throw e;
    }
    this.built = true;
    const out = this.call(input, training);
    if (this._deferred !== null && this._deferred.size > 0) checkRestoredAllUsed(this, out);
    return out;
  }

  /** Track `layer` as a sub-layer: its weights become part of this layer's. Returns it. */
  protected track<L extends Layer<any, any>>(layer: L): L {
    if (!(layer instanceof Layer)) throw new InvalidArgumentError(`${this.name}: trackLayer expects a Layer, got ${typeof layer}`);
    if (layer.parent === this) return layer;
    if (layer.parent) throw new InvalidArgumentError(`${this.name}: layer "${layer.name}" is already tracked by "${layer.parent.name}"`);
    for (let p: Layer<any, any> | null = this; p; p = p.parent)
      if (p === layer) throw new InvalidArgumentError(`${this.name}: cannot track "${layer.name}" inside itself`);
    const taken = new Set(this.subLayers.map((l) => l.name));
    for (const [w] of this.ownWeights) taken.add(w);
    if (layer._autoName) {
      const base = layer.name;
      let name = base;
      for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
      layer.name = name;
    } else if (taken.has(layer.name)) throw new InvalidArgumentError(`${this.name}: two sub-layers are named "${layer.name}"; give each a unique name`);
    layer.parent = this;
    this.subLayers.push(layer);
    return layer;
  }

  /** Sub-layers in the order they were tracked. */
  get layers(): readonly Layer<any, any>[] {
    return this.subLayers;
  }

  /** The full name: the names of the tracking layers down to this one, joined by "/". */
  get path(): string {
    return this.parent ? `${this.parent.path}/${this.name}` : this.name;
  }

  /**
   * Create a weight of this layer. Its variable is named `${path}/${name}`. If a checkpoint
   * restored before the weight existed holds a value for it, that value is used instead.
   */
  protected addWeight(name: string, shape: readonly number[], init: Initializer | InitializerName, options: { trainable?: boolean; dtype?: DType } = {}): Variable {
    if (this.ownWeights.some(([n]) => n === name)) throw new InvalidArgumentError(`${this.path}: weight "${name}" already exists`);
    const dtype = options.dtype ?? this.dtype ?? "float32";
    const trainable = (options.trainable ?? true) && this.trainable && this.parentsTrainable();
    const found = this.findDeferred(name);
    let initial: Tensor;
    if (found) {
      const [holder, key, deferred] = found;
      const what = `${this.path}/${name}: the restored value is ${deferred.dtype}${shapeStr(deferred.shape)} but the weight is ${dtype}${shapeStr(shape)}`;
      if (deferred.dtype !== dtype) throw new DTypeError(what);
      if (!shapesEqual(deferred.shape, shape)) throw new ShapeError(what);
      initial = tensor(deferred.values, shape, dtype);
      holder._deferred!.delete(key); // taken only once it fits
    } else {
      const initializer = getInitializer(init, `${this.path}/${name}`);
      // Inside compile the weight is made once, while tracing, with real values (as on the first eager call).
      initial = outsideTrace(() => initializer(shape, dtype));
    }
    const v = variable(initial, { name: `${this.path}/${name}`, trainable });
    initial.dispose();
    this.ownWeights.push([name, v]);
    return v;
  }

  private parentsTrainable(): boolean {
    for (let p = this.parent; p; p = p.parent) if (!p.trainable) return false;
    return true;
  }

  private findDeferred(weight: string): [Layer<any, any>, string, DeferredValue] | undefined {
    let rel = weight;
    for (let l: Layer<any, any> | null = this; l; rel = `${l.name}/${rel}`, l = l.parent) {
      const d = l._deferred?.get(rel);
      if (d) return [l, rel, d];
    }
    return undefined;
  }

  /** Weights with their paths relative to this layer ("dense_1/kernel"), in tracking order. */
  namedVariables(): [string, Variable][] {
    const out: [string, Variable][] = [...this.ownWeights];
    for (const l of this.subLayers) for (const [n, v] of l.namedVariables()) out.push([`${l.name}/${n}`, v]);
    return out;
  }
  /** Every weight of this layer and its sub-layers. */
  get variables(): Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }
  /** Weights that optimizers update. */
  get trainableVariables(): Variable[] {
    return this.variables.filter((v) => v.trainable);
  }
  /** Weights that are state, not parameters (e.g. batch normalization's moving statistics). */
  get nonTrainableVariables(): Variable[] {
    return this.variables.filter((v) => !v.trainable);
  }
  /** Number of scalars in all weights. */
  countParams(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }
  /** Free the weights of this layer and its sub-layers. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
