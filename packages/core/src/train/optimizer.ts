/**
 * The Optimizer base class: learning rate (number or schedule), optional clipping by global
 * norm, a step counter and per-variable slots (created on the variable's device). Each update
 * runs inside `tidy` and writes with `assign`, so a training step leaves no tensor behind.
 */
import { implicitValueAndGradients } from "../api/autodiff.js";
import { tensor, variable, zeros, fill } from "../api/creation.js";
import { withDevice } from "../api/device.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, DTypeError, ShapeError } from "../errors.js";
import type { DeferredValue } from "../layers/layer.js";
import { shapesEqual, shapeStr } from "../shape.js";
import { Tensor, type Variable } from "../tensor.js";
import { clipByGlobalNorm } from "./clip.js";
import { StepSnapshot } from "./step-snapshot.js";
import { hostEffect, hostValue } from "../compile/host.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Options every optimizer accepts. */
export interface OptimizerOptions {
  /** A number, or a schedule from step to learning rate. */
  readonly learningRate: number | LearningRateSchedule;
  /** Scale gradients so their global norm is at most this before each update. */
  readonly clipNorm?: number;
}

/** What `applyGradients` takes: the output of `implicitGradients`. Null gradients are skipped. */
export type GradientPairs = readonly (readonly [Tensor | null, Variable])[];

/** Base class of optimizers. Subclasses implement `update(variable, gradient, lr)`. */
export abstract class Optimizer {
  /** Updates applied so far (the step count schedules and Adam read). */
  iterations = 0;
  readonly learningRate: number | LearningRateSchedule;
  readonly clipNorm: number | undefined;
  private readonly slots = new Map<Variable, Map<string, Variable>>();
  /** @internal Saved slot values for slots not created yet (restore-on-create). */
  _deferredSlot: ((v: Variable, slot: string) => DeferredValue | undefined) | null = null;

  constructor(options: OptimizerOptions, kind: string) {
    if (typeof options !== "object" || options === null) throw new InvalidArgumentError(`${kind}: expects an options object like { learningRate: 0.01 }`);
    const lr = options.learningRate;
    if (!(typeof lr === "function" || (typeof lr === "number" && lr >= 0 && Number.isFinite(lr))))
      throw new InvalidArgumentError(`${kind}: learningRate must be a number >= 0 or a schedule function, got ${String(lr)}`);
    if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new InvalidArgumentError(`${kind}: clipNorm must be > 0, got ${options.clipNorm}`);
    this.learningRate = lr;
    this.clipNorm = options.clipNorm;
  }

  /** The learning rate at step `step` (0 for the first update). */
  currentLearningRateAt(step: number): number {
    return typeof this.learningRate === "function" ? this.learningRate(step) : this.learningRate;
  }
  /** The learning rate for the next update. */
  currentLearningRate(): number {
    return typeof this.learningRate === "function" ? this.learningRate(this.iterations) : this.learningRate;
  }

  /**
   * Update one variable; runs inside a tidy scope with `iterations` already counting this step.
   * `lr` is a number eagerly, and a scalar the program recomputes per call under `compile`
   * when the learning rate is a schedule.
   */
  protected abstract update(v: Variable, g: Tensor, lr: number | Tensor): void;

  /** The learning rate of the step being applied (`iterations` already counts it), recomputed per call under `compile`. */
  protected stepLearningRate(): number | Tensor {
    const lr = this.learningRate;
    return typeof lr === "function" ? hostValue(() => lr(this.iterations - 1)) : lr;
  }

  /**
   * Apply `[gradient, variable]` pairs (from `implicitGradients`) as one step. Gradients are
   * not disposed; dispose them (or call this inside `tidy`).
   * @example optimizer.applyGradients(implicitGradients(loss)(x, y))
   */
  applyGradients(pairs: GradientPairs): void {
    if (!Array.isArray(pairs)) throw new InvalidArgumentError("applyGradients: expects an array of [gradient, variable] pairs");
    for (const p of pairs)
      if (!Array.isArray(p) || p.length !== 2 || (p[0] !== null && !(p[0] instanceof Tensor)) || !(p[1] instanceof Tensor))
        throw new InvalidArgumentError("applyGradients: each entry must be a [gradient, variable] pair");
    const live = pairs.filter((p): p is readonly [Tensor, Variable] => p[0] !== null);
    for (const [g, v] of live) {
      if (!shapesEqual(g.shape, v.shape)) throw new ShapeError(`applyGradients: gradient ${shapeStr(g.shape)} does not match variable "${v.name}" ${shapeStr(v.shape)}`);
      if (typeof v.assign !== "function") throw new InvalidArgumentError(`applyGradients: "${String(v.name)}" is not a variable`);
    }
    // All or nothing: a failure mid-step (a slot that does not fit, a crashed device) puts
    // every variable, slot and the step count back as they were.
    const iterations = this.iterations;
    const slotsBefore = new Set(this.slotEntries().map(([, , s]) => s));
    const snapshot = new StepSnapshot([...live.map(([, v]) => v), ...slotsBefore]);
    try {
      tidy(() => {
        let grads = live.map(([g]) => g);
        if (this.clipNorm !== undefined) grads = clipByGlobalNorm(grads, this.clipNorm)[0];
        hostEffect(() => this.iterations++);
        const lr = this.stepLearningRate();
        live.forEach(([, v], i) => this.update(v, grads[i]!, lr));
      });
    } catch (e) {
      snapshot.rollback();
      this.iterations = iterations;
      for (const [v, m] of this.slots) {
        for (const [n, sv] of m)
          if (!slotsBefore.has(sv)) {
            sv.dispose();
            m.delete(n);
          }
        if (m.size === 0) this.slots.delete(v);
      }
      throw e;
    }
    snapshot.commit();
  }

  /**
   * Compute implicit gradients of `f` with respect to the trainable variables it reads (or
   * `varList`) and apply them, with TF.js's signature: the loss is returned only when
   * `returnCost` is true (then it is yours to dispose); otherwise it is freed and null returned,
   * so a loop of `minimize` calls leaks nothing.
   * @example opt.minimize(() => losses.meanSquaredError({ labels: y, predictions: model.apply(x) }));
   * @example const cost = opt.minimize(() => loss(x, y), true)!; console.log(cost.item()); cost.dispose();
   */
  minimize(f: () => Tensor, returnCost: true, varList?: readonly Variable[]): Tensor;
  minimize(f: () => Tensor, returnCost?: boolean, varList?: readonly Variable[]): Tensor | null;
  minimize(f: () => Tensor, returnCost = false, varList?: readonly Variable[]): Tensor | null {
    if (typeof f !== "function") throw new InvalidArgumentError("minimize: expects a function returning the loss");
    if (typeof returnCost !== "boolean") throw new InvalidArgumentError(`minimize: returnCost must be a boolean (the variable list is the third argument), got ${Array.isArray(returnCost) ? "an array" : typeof returnCost}`);
    const [value, pairs] = implicitValueAndGradients(f)();
    const chosen = varList ? pairs.filter(([, v]) => varList.includes(v)) : pairs;
    try {
      this.applyGradients(chosen);
    } catch (e) {
      value.dispose();
      throw e;
    } finally {
      for (const [g] of pairs) if (g !== value) g.dispose();
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** The slot `name` of `v` (e.g. "m" of Adam), if created. */
  getSlot(v: Variable, name: string): Variable | undefined {
    return this.slots.get(v)?.get(name);
  }
  /** Slot names this optimizer keeps per variable. */
  abstract readonly slotNames: readonly string[];
  /** Every slot: [variable, slot name, slot variable], in creation order. */
  slotEntries(): [Variable, string, Variable][] {
    const out: [Variable, string, Variable][] = [];
    for (const [v, m] of this.slots) for (const [n, s] of m) out.push([v, n, s]);
    return out;
  }

  /** The slot `name` of `v`, created on v's device (filled with `init`) on first use. */
  protected slot(v: Variable, name: string, init = 0): Variable {
    let m = this.slots.get(v);
    if (!m) this.slots.set(v, (m = new Map()));
    let s = m.get(name);
    if (!s) {
      const deferred = this._deferredSlot?.(v, name);
      if (deferred && (deferred.dtype !== v.dtype || !shapesEqual(deferred.shape, v.shape)))
        throw new (deferred.dtype !== v.dtype ? DTypeError : ShapeError)(`slot "${name}" of "${v.name}": the restored value is ${deferred.dtype}${shapeStr(deferred.shape)} but the variable is ${v.dtype}${shapeStr(v.shape)}`);
      s = withDevice(v.device, () => {
        const t = deferred ? tensor(deferred.values, deferred.shape, deferred.dtype) : init === 0 ? zeros(v.shape, v.dtype) : fill(v.shape, init, v.dtype);
        const sv = variable(t, { name: `${v.name}/${name}`, trainable: false });
        t.dispose();
        return sv;
      });
      m.set(name, s);
    }
    return s;
  }

  /** Free every slot. */
  dispose(): void {
    for (const [, , s] of this.slotEntries()) s.dispose();
    this.slots.clear();
  }
}
