/**
 * Network: a model written as plain code. A subclass tracks its layers in the constructor and
 * writes `call`; the network is itself a layer, so networks nest, and its variables carry
 * hierarchical names ("mnist_model/dense_1/kernel") that checkpoints rely on. Networks also
 * train Keras-style (compile, fit, evaluate, predict; see model-training.ts), print a
 * `summary()` and save their weights.
 */
import { zeros } from "../api/creation.js";
import type { Dataset } from "../data/dataset.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { Checkpoint } from "../train/checkpoint.js";
import type { RestoreOptions, RestoreReport } from "../train/index.js";
import { Layer, type LayerOptions } from "./layer.js";
import { compileModel, evaluateModel, fitModel, predictModel, type CompileArgs, type FitArgs, type History, type TrainableModel, type TrainingConfig } from "./model-training.js";
import { summaryLines } from "./summary.js";

/**
 * A model defined by code. Track layers (and sub-networks) with `trackLayer`, then write `call`.
 * Layers whose sizes come from constructor arguments must be tracked in the constructor after
 * `super()`, not in field initializers (those run before the constructor's own code).
 * @example
 * class MNISTModel extends Network {
 *   layer1 = this.trackLayer(new Dense({ units: 10 }));
 *   layer2 = this.trackLayer(new Dense({ units: 10 }));
 *   call(input: Tensor) { return this.layer2.apply(this.layer1.apply(input)); }
 * }
 * new MNISTModel().apply(zeros([1, 1, 784])).shape // [1, 1, 10]
 */
export abstract class Network<I = Tensor, O = Tensor> extends Layer<I, O> {
  /** Set to true (e.g. in a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  /** @internal What `compile` stored. */
  _training: TrainingConfig | null = null;

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

  private asModel(): TrainableModel {
    return this as unknown as TrainableModel;
  }

  /**
   * Configure training: an optimizer (instance or "sgd" | "adam" | "rmsprop" | "adagrad"), a loss
   * (TF.js name or `(yTrue, yPred) => Tensor`, averaged over examples) and metrics.
   * @example model.compile({ optimizer: train.adam(0.01), loss: "meanSquaredError", metrics: ["mae"] })
   */
  compile(args: CompileArgs): void {
    this.buildFromInputShape();
    compileModel(this.asModel(), args);
  }

  /**
   * Train for `epochs` on tensors (`fit(x, y, args)`, batched and shuffled) or a Dataset of
   * `{ xs, ys }` or `[x, y]` batches (`fit(dataset, args)`; its tensors are disposed after each
   * step). Returns the per-epoch history. Each step is an eager `optimizer.minimize`.
   * @example const h = await model.fit(xs, ys, { epochs: 10, batchSize: 32, validationSplit: 0.1 }); h.history.loss
   */
  fit(x: TensorLike, y: TensorLike, args?: FitArgs): Promise<History>;
  fit(dataset: Dataset<unknown>, args?: FitArgs): Promise<History>;
  fit(x: TensorLike | Dataset<unknown>, y?: TensorLike | FitArgs, args?: FitArgs): Promise<History> {
    return fitModel(this.asModel(), x, y, args);
  }

  /** Mean loss over `x, y` in inference mode, or `[loss, ...metrics]` when metrics were compiled. Yours to dispose. */
  evaluate(x: TensorLike, y: TensorLike, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    return evaluateModel(this.asModel(), x, y, args);
  }

  /** The model's output for `x` (nested arrays accepted) in inference mode, computed in batches. */
  predict(x: TensorLike, args: { batchSize?: number } = {}): Tensor {
    return predictModel(this as unknown as Layer<Tensor, Tensor>, x, args);
  }

  /** Print (or pass to `printFn`) a table of layers, output shapes and parameter counts. */
  summary(lineLength?: number, printFn: (line: string) => void = console.log): void {
    this.buildFromInputShape();
    for (const line of summaryLines(this, lineLength)) printFn(line);
  }

  /** Save every weight to a safetensors file at `path` (Node). Returns the path. */
  saveWeights(path: string): Promise<string> {
    return new Checkpoint({ model: this }).save(path);
  }

  /**
   * Load weights saved by `saveWeights`. An unbuilt model takes them when it builds. Pass
   * `{ allowPartial: true }` (or `expectPartial`) to load a subset on purpose; the report says
   * what was restored, deferred, ignored and missing.
   */
  loadWeights(path: string, options: RestoreOptions = {}): Promise<RestoreReport> {
    return new Checkpoint({ model: this }).restore(path, options);
  }

  /** Build by running a zero example through the model when its first layer declares an inputShape. */
  private buildFromInputShape(): void {
    if (this.built) return;
    const shape = this.inputShape ?? this.layers[0]?.inputShape;
    if (!shape) return;
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) throw new InvalidArgumentError(`${this.name}: inputShape must be positive integers, got [${shape.join(", ")}]`);
    const x = zeros([1, ...shape]);
    const y = (this as unknown as Layer<Tensor, Tensor>).apply(x);
    x.dispose();
    y.dispose();
  }
}
