/**
 * Keras-style training for models: compile (optimizer, loss, metrics by TF.js name or as
 * functions), fit over tensors or a Dataset with validation, shuffling, callbacks and the
 * progress bar, evaluate and predict in batches. Every step is an eager `optimizer.minimize`
 * over the model's trainable variables; there is no graph-compiled step yet.
 */
import { stopGradient } from "../api/autodiff.js";
import { cast } from "../api/elementwise.js";
import { gather } from "../api/index-ops.js";
import { concat, slice } from "../api/movement.js";
import { randomUniform } from "../api/random.js";
import { mean, topk } from "../api/reduce.js";
import { Dataset } from "../data/dataset.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import * as fm from "../metrics/functional.js";
import { ProgressBar } from "../metrics/progress.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { sgd, adam, rmsprop, adagrad } from "../train/factories.js";
import { Optimizer } from "../train/optimizer.js";
import type { Layer } from "./layer.js";

/** A loss or metric as a function of labels and predictions; per-example values are averaged. */
export type LossOrMetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
/** Loss names `compile` knows (TF.js's; the cross-entropies take probabilities, as in TF.js). */
export type LossName = "meanSquaredError" | "mse" | "meanAbsoluteError" | "mae" | "meanAbsolutePercentageError" | "mape" | "binaryCrossentropy" | "categoricalCrossentropy" | "sparseCategoricalCrossentropy";
/** Metric names `compile` knows; "accuracy"/"acc" picks the accuracy matching the loss, as TF.js does. */
export type MetricName = LossName | "accuracy" | "acc" | "binaryAccuracy" | "categoricalAccuracy" | "sparseCategoricalAccuracy" | "precision" | "recall" | "cosineProximity";
/** Optimizer names `compile` accepts, with TF.js's default learning rates. */
export type OptimizerName = "sgd" | "adam" | "rmsprop" | "adagrad";

/** Arguments of `compile`. */
export interface CompileArgs {
  readonly optimizer: Optimizer | OptimizerName;
  readonly loss: LossName | LossOrMetricFn;
  readonly metrics?: readonly (MetricName | LossOrMetricFn)[];
}

/** Per-epoch and per-batch values: "loss", metric names, and "val_"-prefixed validation values. */
export type Logs = Record<string, number>;

/** Hooks `fit` calls (each may be async). Set `model.stopTraining = true` in one to stop after the current batch. */
export interface Callbacks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/** Arguments of `fit`. */
export interface FitArgs {
  /** Passes over the data (default 1). */
  readonly epochs?: number;
  /** Examples per step, for tensor inputs (default 32). */
  readonly batchSize?: number;
  /** [x, y] tensors, or a Dataset of { xs, ys } or [x, y] batches, evaluated after each epoch. */
  readonly validationData?: readonly [TensorLike, TensorLike] | Dataset<unknown>;
  /** Hold out this last fraction of tensor inputs for validation (TF.js's validationSplit). */
  readonly validationSplit?: number;
  /** Shuffle tensor inputs each epoch (default true), with the seeded global random generator. */
  readonly shuffle?: boolean;
  readonly callbacks?: Callbacks | readonly Callbacks[];
  /** 1 (default) draws the progress bar on stderr; 0 is silent. */
  readonly verbose?: 0 | 1;
  /** Epoch to start counting from (default 0). */
  readonly initialEpoch?: number;
}

/** What `fit` returns: each epoch's logs, like TF.js's History. */
export interface History {
  readonly epoch: number[];
  readonly history: Record<string, number[]>;
}

interface Named {
  readonly name: string;
  readonly fn: LossOrMetricFn;
}

/** @internal What `compile` stored. */
export interface TrainingConfig {
  readonly optimizer: Optimizer;
  readonly loss: Named;
  readonly metrics: readonly Named[];
}

/** A model as training sees it: a layer from tensors to tensors with a stop flag. */
export interface TrainableModel extends Layer<Tensor, Tensor> {
  stopTraining: boolean;
  _training: TrainingConfig | null;
}

const LOSSES: Record<LossName, LossOrMetricFn> = {
  meanSquaredError: fm.meanSquaredError,
  mse: fm.meanSquaredError,
  meanAbsoluteError: fm.meanAbsoluteError,
  mae: fm.meanAbsoluteError,
  meanAbsolutePercentageError: fm.meanAbsolutePercentageError,
  mape: fm.meanAbsolutePercentageError,
  binaryCrossentropy: fm.binaryCrossentropy,
  categoricalCrossentropy: fm.categoricalCrossentropy,
  sparseCategoricalCrossentropy: fm.sparseCategoricalCrossentropy,
};

function lossOf(loss: CompileArgs["loss"]): Named {
  if (typeof loss === "function") return { name: "loss", fn: loss };
  const fn = LOSSES[loss as LossName];
  if (!fn) throw new InvalidArgumentError(`compile: unknown loss ${JSON.stringify(loss)} (known: ${Object.keys(LOSSES).join(", ")}, or pass a function (yTrue, yPred) => Tensor)`);
  return { name: "loss", fn };
}

function metricOf(m: MetricName | LossOrMetricFn, loss: CompileArgs["loss"]): Named {
  if (typeof m === "function") return { name: m.name || "metric", fn: m };
  if (m === "accuracy" || m === "acc") {
    const fn = loss === "binaryCrossentropy" ? fm.binaryAccuracy : loss === "sparseCategoricalCrossentropy" ? fm.sparseCategoricalAccuracy : fm.categoricalAccuracy;
    return { name: "acc", fn };
  }
  const others: Record<string, LossOrMetricFn> = {
    binaryAccuracy: fm.binaryAccuracy,
    categoricalAccuracy: fm.categoricalAccuracy,
    sparseCategoricalAccuracy: fm.sparseCategoricalAccuracy,
    precision: fm.precision,
    recall: fm.recall,
    cosineProximity: fm.cosineProximity,
    ...LOSSES,
  };
  const fn = others[m];
  if (!fn) throw new InvalidArgumentError(`compile: unknown metric ${JSON.stringify(m)} (known: accuracy, ${Object.keys(others).join(", ")}, or a function)`);
  return { name: m, fn };
}

function optimizerOf(o: CompileArgs["optimizer"]): Optimizer {
  if (o instanceof Optimizer) return o;
  switch (o) {
    case "sgd":
      return sgd(0.01);
    case "adam":
      return adam(0.001);
    case "rmsprop":
      return rmsprop(0.001);
    case "adagrad":
      return adagrad(0.01);
    default:
      throw new InvalidArgumentError(`compile: optimizer must be an Optimizer or one of "sgd", "adam", "rmsprop", "adagrad", got ${JSON.stringify(o)}`);
  }
}

/** @internal `model.compile(args)`. */
export function compileModel(model: TrainableModel, args: CompileArgs): void {
  if (typeof args !== "object" || args === null) throw new InvalidArgumentError("compile: expects { optimizer, loss, metrics? }");
  const metrics = args.metrics ?? [];
  if (!Array.isArray(metrics)) throw new InvalidArgumentError("compile: metrics must be an array");
  model._training = { optimizer: optimizerOf(args.optimizer), loss: lossOf(args.loss), metrics: metrics.map((m) => metricOf(m, args.loss)) };
}

function config(model: TrainableModel, where: string): TrainingConfig {
  if (!model._training) throw new InvalidArgumentError(`${where}: call model.compile({ optimizer, loss }) first`);
  return model._training;
}

/**
 * One step; the batch means of the loss and each metric, read back asynchronously (so devices
 * without synchronous reads, such as WebGPU, train too).
 */
async function trainBatch(model: TrainableModel, cfg: TrainingConfig, x: Tensor, y: Tensor): Promise<number[]> {
  const metricValues: Tensor[] = [];
  const loss = cfg.optimizer.minimize(() => {
    const pred = model.apply(x, { training: true });
    if (cfg.metrics.length) {
      const p = stopGradient(pred);
      for (const m of cfg.metrics) metricValues.push(mean(m.fn(y, p))._keep());
    }
    return mean(cfg.loss.fn(y, pred));
  }, true);
  try {
    return (await Promise.all([loss, ...metricValues].map((t) => t.data()))).map((v) => Number(v[0]));
  } finally {
    loss.dispose();
    for (const t of metricValues) t.dispose();
  }
}

function evalBatch(model: TrainableModel, cfg: TrainingConfig, x: Tensor, y: Tensor): Tensor[] {
  return tidy(() => {
    const pred = model.apply(x, { training: false });
    return [mean(cfg.loss.fn(y, pred)), ...cfg.metrics.map((m) => mean(m.fn(y, pred)))];
  });
}

function rows(t: Tensor, start: number, n: number): Tensor {
  return slice(t, start, n);
}

function checkPair(x: Tensor, y: Tensor, where: string): number {
  if (x.rank < 1 || y.rank < 1) throw new ShapeError(`${where}: x and y need a batch axis, got ${x.describe()} and ${y.describe()}`);
  if (x.shape[0] !== y.shape[0]) throw new ShapeError(`${where}: x ${x.describe()} and y ${y.describe()} have different numbers of examples`);
  return x.shape[0]!;
}

function pairOf(el: unknown, where: string): [Tensor, Tensor] {
  if (Array.isArray(el) && el.length === 2 && el[0] instanceof Tensor && el[1] instanceof Tensor) return [el[0], el[1]];
  const o = el as { xs?: unknown; ys?: unknown };
  if (o && o.xs instanceof Tensor && o.ys instanceof Tensor) return [o.xs, o.ys];
  throw new InvalidArgumentError(`${where}: dataset elements must be { xs, ys } or [x, y] tensors`);
}

/** Weighted means of batch values, accumulated over an epoch. */
class Averages {
  private sums: number[] = [];
  private n = 0;
  add(values: readonly number[], count: number): void {
    values.forEach((v, i) => (this.sums[i] = (this.sums[i] ?? 0) + v * count));
    this.n += count;
  }
  logs(names: readonly string[], prefix = ""): Logs {
    const out: Logs = {};
    names.forEach((k, i) => (out[prefix + k] = this.n ? this.sums[i]! / this.n : NaN));
    return out;
  }
}

async function evaluateInto(model: TrainableModel, cfg: TrainingConfig, data: FitArgs["validationData"], batchSize: number, names: readonly string[]): Promise<Logs> {
  const avg = new Averages();
  const step = async (x: Tensor, y: Tensor) => {
    const vals = evalBatch(model, cfg, x, y);
    try {
      avg.add((await Promise.all(vals.map((t) => t.data()))).map((v) => Number(v[0])), x.shape[0] ?? 1);
    } finally {
      vals.forEach((t) => t.dispose());
    }
  };
  if (data instanceof Dataset) {
    for await (const el of data) {
      const [x, y] = pairOf(el, "fit: validationData");
      try {
        await step(x, y);
      } finally {
        x.dispose();
        y.dispose();
      }
    }
  } else {
    const [vx, vy] = data as readonly [TensorLike, TensorLike];
    const x = toTensor(vx, "fit: validationData x");
    const y = toTensor(vy, "fit: validationData y");
    const n = checkPair(x, y, "fit: validationData");
    for (let s = 0; s < n; s += batchSize) {
      const k = Math.min(batchSize, n - s);
      const [bx, by] = [rows(x, s, k), rows(y, s, k)];
      try {
        await step(bx, by);
      } finally {
        bx.dispose();
        by.dispose();
      }
    }
    if (x !== vx) x.dispose();
    if (y !== vy) y.dispose();
  }
  return avg.logs(names, "val_");
}

/** @internal `model.fit(x, y, args)` or `model.fit(dataset, args)`. */
export async function fitModel(model: TrainableModel, xOrData: TensorLike | Dataset<unknown>, yOrArgs?: TensorLike | FitArgs, maybeArgs?: FitArgs): Promise<History> {
  const cfg = config(model, "fit");
  const isData = xOrData instanceof Dataset;
  const args: FitArgs = (isData ? (yOrArgs as FitArgs | undefined) : maybeArgs) ?? {};
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new InvalidArgumentError(`fit: epochs must be an integer >= 0, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`fit: batchSize must be an integer >= 1, got ${batchSize}`);
  const callbacks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? (args.callbacks as Callbacks[]) : [args.callbacks as Callbacks];
  const names = ["loss", ...cfg.metrics.map((m) => m.name)];
  const history: History = { epoch: [], history: {} };
  const call = async (k: keyof Callbacks, ...a: unknown[]) => {
    for (const c of callbacks) await (c[k] as ((...x: unknown[]) => unknown) | undefined)?.call(c, ...a);
  };

  // Tensor inputs: own copies (split off validation), shuffled per epoch by index.
  let x: Tensor | null = null;
  let y: Tensor | null = null;
  let validation = args.validationData;
  let n = 0;
  const owned: Tensor[] = [];
  if (!isData) {
    if (yOrArgs === undefined || (typeof yOrArgs === "object" && !(yOrArgs instanceof Tensor) && !Array.isArray(yOrArgs) && !ArrayBuffer.isView(yOrArgs)))
      throw new InvalidArgumentError("fit: with tensor inputs, call fit(x, y, args); with a Dataset, fit(dataset, args)");
    x = toTensor(xOrData as TensorLike, "fit: x");
    y = toTensor(yOrArgs as TensorLike, "fit: y");
    if (x !== xOrData) owned.push(x);
    if (y !== yOrArgs) owned.push(y);
    n = checkPair(x, y, "fit");
    const split = args.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new InvalidArgumentError(`fit: validationSplit must be in [0, 1), got ${split}`);
    if (split > 0 && validation === undefined) {
      const nVal = Math.floor(n * split);
      const nTrain = n - nVal;
      const parts = [rows(x, 0, nTrain), rows(y, 0, nTrain), rows(x, nTrain, nVal), rows(y, nTrain, nVal)];
      owned.push(...parts);
      [x, y] = [parts[0]!, parts[1]!];
      validation = [parts[2]!, parts[3]!];
      n = nTrain;
    }
  }
  model.stopTraining = false;
  try {
    await call("onTrainBegin", {});
    for (let epoch = initialEpoch; epoch < initialEpoch + epochs && !model.stopTraining; epoch++) {
      await call("onEpochBegin", epoch, {});
      const avg = new Averages();
      const steps = isData ? 0 : Math.ceil(n / batchSize);
      const bar = args.verbose === 0 ? null : new ProgressBar({ total: steps, label: `Epoch ${epoch + 1}/${initialEpoch + epochs}` });
      let batch = 0;
      const runBatch = async (bx: Tensor, by: Tensor) => {
        await call("onBatchBegin", batch, { batch, size: bx.shape[0] ?? 1 });
        const vals = await trainBatch(model, cfg, bx, by);
        avg.add(vals, bx.shape[0] ?? 1);
        const logs = Object.fromEntries(names.map((k, i) => [k, vals[i]!]));
        bar?.update(batch + 1, { examples: bx.shape[0] ?? 1, values: logs });
        await call("onBatchEnd", batch, { batch, size: bx.shape[0] ?? 1, ...logs });
        batch++;
      };
      if (isData) {
        for await (const el of xOrData as Dataset<unknown>) {
          const [bx, by] = pairOf(el, "fit");
          try {
            await runBatch(bx, by);
          } finally {
            bx.dispose();
            by.dispose();
          }
          if (model.stopTraining) break;
        }
      } else {
        const order = args.shuffle === false ? null : tidy(() => topk(randomUniform([n]), n).indices);
        for (let s = 0; s < n && !model.stopTraining; s += batchSize) {
          const k = Math.min(batchSize, n - s);
          const [bx, by] = tidy(() => {
            if (!order) return [rows(x!, s, k), rows(y!, s, k)];
            const idx = rows(order, s, k);
            return [gather(x!, idx), gather(y!, idx)];
          });
          try {
            await runBatch(bx, by);
          } finally {
            bx.dispose();
            by.dispose();
          }
        }
        order?.dispose();
      }
      const logs: Logs = { ...avg.logs(names), ...(validation !== undefined ? await evaluateInto(model, cfg, validation, batchSize, names) : {}) };
      bar?.finish(logs);
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      await call("onEpochEnd", epoch, logs);
    }
    await call("onTrainEnd", {});
  } finally {
    for (const t of owned) t.dispose();
  }
  return history;
}

/** @internal `model.evaluate(x, y, { batchSize })`: the mean loss, or [loss, ...metrics] when metrics were compiled. */
export function evaluateModel(model: TrainableModel, xs: TensorLike, ys: TensorLike, args: { batchSize?: number } = {}): Tensor | Tensor[] {
  const cfg = config(model, "evaluate");
  const batchSize = args.batchSize ?? 32;
  const out = tidy(() => {
    const x = toTensor(xs, "evaluate: x");
    const y = toTensor(ys, "evaluate: y");
    const n = checkPair(x, y, "evaluate");
    let sums: Tensor[] | null = null;
    for (let s = 0; s < n; s += batchSize) {
      const k = Math.min(batchSize, n - s);
      const vals = evalBatch(model, cfg, rows(x, s, k), rows(y, s, k)).map((t) => t.mul(k));
      sums = sums ? sums.map((a, i) => a.add(vals[i]!)) : vals;
    }
    return (sums ?? [cfg.loss, ...cfg.metrics].map(() => toTensor(NaN, "evaluate"))).map((t) => cast(t.div(Math.max(n, 1)), "float32"));
  });
  return cfg.metrics.length ? out : out[0]!;
}

/** @internal `model.predict(x, { batchSize })`: outputs in inference mode, batch by batch. */
export function predictModel(model: Layer<Tensor, Tensor>, xs: TensorLike, args: { batchSize?: number } = {}): Tensor {
  const batchSize = args.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`predict: batchSize must be an integer >= 1, got ${batchSize}`);
  return tidy(() => {
    const x = toTensor(xs, "predict: x");
    if (x.rank < 1) throw new ShapeError(`predict: x needs a batch axis, got ${x.describe()}`);
    const n = x.shape[0]!;
    if (n <= batchSize) return model.apply(x, { training: false });
    const parts: Tensor[] = [];
    for (let s = 0; s < n; s += batchSize) parts.push(model.apply(rows(x, s, Math.min(batchSize, n - s)), { training: false }));
    return concat(parts, 0);
  });
}
