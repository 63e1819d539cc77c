/**
 * The tape: records ops whose inputs are watched while it is active, and plays them back in
 * reverse to compute gradients. Broadcasting is undone here, once, for every op. Gradients
 * are computed with ordinary ops, so an outer tape records them (higher-order gradients).
 */
import { NonDifferentiableError, InvalidArgumentError } from "../errors.js";
import type { GradContext, OpDef, TensorSpec, Vjp } from "../ops/def.js";
import { shapesEqual, shapeStr } from "../shape.js";
import { sumTo } from "../ops/sum-to.js";
import { Tensor, Variable } from "../tensor.js";
import { currentFrame, withFrame, type TapeLike } from "./context.js";
import { engine } from "./engine.js";
import { tidy } from "./memory.js";
import { differentiable, inBackward, isInBackward, runOp } from "./dispatch.js";
import { SliceGradients } from "./slice-grads.js";
import type { StridedSliceAttrs } from "../ops/movement.js";

interface Entry {
  readonly name: string;
  readonly vjp: Vjp<unknown> | "none";
  readonly attrs: unknown;
  readonly inputIds: readonly number[];
  readonly inputSpecs: readonly TensorSpec[];
  readonly outputIds: readonly number[];
  readonly outputSpecs: readonly TensorSpec[];
  /** Retained tensors the gradient reads (released with the tape). */
  readonly savedInputs: readonly Tensor[];
  readonly savedOutputs: readonly Tensor[];
  /** The op has float inputs but no float output: gradients stop here. */
  readonly blocking: boolean;
}

/** Options of a tape. */
export interface TapeOptions {
  /** Allow several `gradient` calls (the recording is kept until `dispose`). */
  readonly persistent?: boolean;
  /** Watch every trainable variable an op reads (what `implicitGradients` uses). Default true. */
  readonly watchAccessedVariables?: boolean;
}

/** The recording machinery behind GradientTape and the gradient functions. */
export class Tape implements TapeLike {
  readonly id = engine.nextTapeId++;
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  private entries: Entry[] = [];
  private watched = new Set<number>();
  private held: Tensor[] = [];
  private snapshots: Tensor[] = [];
  /** Trainable variables read by recorded ops, in order of first use. */
  readonly accessedVariables: Variable[] = [];
  private used = false;

  constructor(options: TapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  /** Watch tensors so ops reading them are recorded. */
  watch(...tensors: Tensor[]): void {
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new InvalidArgumentError(`GradientTape.watch: expected tensors, got ${typeof t}`);
      this.watched.add(t.id);
      if (t instanceof Variable && !this.accessedVariables.includes(t)) this.accessedVariables.push(t);
    }
  }

  /** Run `fn` (sync or async) with this tape recording. */
  run<R>(fn: () => R): R {
    if (this.used) throw new InvalidArgumentError("GradientTape: a non-persistent tape records once; create a new tape");
    return withFrame({ tapes: [...currentFrame().tapes, this] }, fn);
  }

  private hold(t: Tensor): Tensor {
    if (t instanceof Variable && engine.compiling !== null) return engine.compiling.snapshot(t);
    if (t instanceof Variable) {
      // Snapshot the variable's current value, so a later assign does not change the gradient.
      const storage = t._live("tape");
      storage.retain();
      const snap = new Tensor(storage, t.shape, t.dtype, t._placed)._keep();
      this.snapshots.push(snap);
      return snap;
    }
    t._retain();
    this.held.push(t);
    return t;
  }

  /** @internal Record one op if it reads a watched tensor. */
  record(name: string, vjp: Vjp<unknown> | "none", saves: OpDef<unknown>["saves"], inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void {
    let hit = false;
    for (const t of inputs) {
      if (this.watched.has(t.id)) hit = true;
      else if (this.watchAccessedVariables && t instanceof Variable && t.trainable && differentiable(t.dtype)) {
        this.watch(t);
        hit = true;
      }
    }
    if (!hit) return;
    for (const o of outputs) this.watched.add(o.id);
    // Ops with no float output carry no gradient, but are kept to explain a missing one. Masks
    // built inside gradient rules (relu's x > 0) are piecewise constant there: not blocking.
    const blocking = !outputs.some((o) => differentiable(o.dtype)) && inputs.some((t) => differentiable(t.dtype)) && !isInBackward();
    if (!blocking && !outputs.some((o) => differentiable(o.dtype))) return;
    this.entries.push({
      name,
      vjp,
      attrs,
      inputIds: inputs.map((t) => t.id),
      inputSpecs: inputs.map(spec),
      outputIds: outputs.map((t) => t.id),
      outputSpecs: outputs.map(spec),
      savedInputs: saves.inputs && !blocking ? inputs.map((t) => this.hold(t)) : [],
      savedOutputs: saves.outputs && !blocking ? outputs.map((t) => this.hold(t)) : [],
      blocking,
    });
  }

  /**
   * Gradients of the sum of `targets` with respect to each source (null where unconnected).
   * `outputGradients` seeds each target's gradient (default ones).
   */
  gradient(targets: readonly Tensor[], sources: readonly Tensor[], outputGradients?: readonly (Tensor | null)[]): (Tensor | null)[] {
    if (this.used) throw new InvalidArgumentError("GradientTape.gradient: a non-persistent tape can compute gradients once; pass { persistent: true } to call it again");
    for (const s of sources) if (!(s instanceof Tensor)) throw new InvalidArgumentError(`GradientTape.gradient: sources must be tensors, got ${typeof s}`);
    const result = tidy(() => inBackward(() => this.backward(targets, sources, outputGradients)));
    if (!this.persistent) {
      this.used = true;
      this.release();
    }
    return result;
  }

  private backward(targets: readonly Tensor[], sources: readonly Tensor[], seeds?: readonly (Tensor | null)[]): (Tensor | null)[] {
    const needed = new Set<number>(sources.map((s) => s.id));
    const end = this.entries.length;
    for (let k = 0; k < end; k++) {
      const e = this.entries[k]!;
      if (e.inputIds.some((id) => needed.has(id))) for (const id of e.outputIds) needed.add(id);
    }
    const grads = new Map<number, Tensor>();
    const accumulate = (id: number, g: Tensor): void => {
      const prev = grads.get(id);
      grads.set(id, prev ? runOp("add", [prev, g], {})[0]! : g);
    };
    targets.forEach((t, i) => {
      const seed = seeds?.[i];
      if (seed && !shapesEqual(seed.shape, t.shape))
        throw new InvalidArgumentError(`GradientTape.gradient: output gradient ${i} has shape ${shapeStr(seed.shape)} but the target has ${shapeStr(t.shape)}`);
      if (differentiable(t.dtype)) accumulate(t.id, seed ?? runOp("onesLike", [t], {})[0]!);
    });
    // Slice gradients wait until their input's gradient is read, then are assembled at once.
    const slices = new SliceGradients();
    const settle = (id: number): void => {
      const g = slices.has(id) ? slices.take(id) : null;
      if (g) accumulate(id, g);
    };
    for (let k = end - 1; k >= 0; k--) {
      const e = this.entries[k]!;
      for (const id of e.outputIds) settle(id);
      if (e.name === "stridedSlice" && !e.blocking && grads.has(e.outputIds[0]!) && needed.has(e.inputIds[0]!)) {
        const s = e.inputSpecs[0]!;
        if (differentiable(s.dtype)) slices.add(e.inputIds[0]!, s.shape, s.dtype, grads.get(e.outputIds[0]!)!, e.attrs as StridedSliceAttrs);
        continue;
      }
      if (e.blocking || !e.outputIds.some((id) => grads.has(id)) || !e.inputIds.some((id) => needed.has(id))) continue;
      if (e.vjp === "none") {
        const i = e.inputIds.findIndex((id, j) => needed.has(id) && differentiable(e.inputSpecs[j]!.dtype));
        if (i < 0) continue;
        throw new NonDifferentiableError(
          `${e.name} has no gradient, but a gradient reached it on the way to its input ${i} (${e.inputSpecs[i]!.dtype}${shapeStr(e.inputSpecs[i]!.shape)}); wrap it in stopGradient() if that is intended`,
        );
      }
      const dys = e.outputIds.map((id, i) => grads.get(id) ?? runOp("fill", [], { shape: e.outputSpecs[i]!.shape, dtype: e.outputSpecs[i]!.dtype, value: 0 })[0]!);
      const ctx: GradContext<unknown> = { inputs: e.savedInputs, outputs: e.savedOutputs, attrs: e.attrs, inputSpecs: e.inputSpecs };
      const gin = e.vjp(dys, ctx);
      for (let i = 0; i < e.inputIds.length; i++) {
        const g = gin[i];
        const id = e.inputIds[i]!;
        const s = e.inputSpecs[i]!;
        if (!g || !needed.has(id) || !differentiable(s.dtype)) continue;
        accumulate(id, fitGradient(g, s, e.name, i));
      }
    }
    for (const s of sources) settle(s.id);
    sources.forEach((s) => {
      if (!grads.has(s.id) && differentiable(s.dtype)) this.explainMissing(s, targets, end);
    });
    return sources.map((s) => grads.get(s.id) ?? null);
  }

  /**
   * A source got no gradient. If it reaches a target only through an op that cannot carry
   * one (vjp "none", or no float output), say which op; otherwise it is simply unconnected.
   */
  private explainMissing(source: Tensor, targets: readonly Tensor[], end: number): void {
    const reaches = new Set<number>(targets.map((t) => t.id));
    const onPath: Entry[] = [];
    for (let k = end - 1; k >= 0; k--) {
      const e = this.entries[k]!;
      if (!e.outputIds.some((id) => reaches.has(id))) continue;
      for (const id of e.inputIds) reaches.add(id);
      onPath.push(e);
    }
    if (!reaches.has(source.id)) return;
    const fromSource = new Set<number>([source.id]);
    for (const e of onPath.reverse()) {
      const i = e.inputIds.findIndex((id) => fromSource.has(id));
      if (i < 0) continue;
      if (e.name === "stopGradient") continue;
      if (e.blocking || e.vjp === "none")
        throw new NonDifferentiableError(
          `${e.name} has no gradient: input ${i} (${e.inputSpecs[i]!.dtype}${shapeStr(e.inputSpecs[i]!.shape)}) of ${e.name} lies between the source and the target, so no gradient can flow; use stopGradient() if that is intended`,
        );
      for (const id of e.outputIds) fromSource.add(id);
    }
  }

  /** Release every tensor the tape holds. */
  release(): void {
    for (const t of this.held) t._unretain();
    for (const t of this.snapshots) t.dispose();
    this.held = [];
    this.snapshots = [];
    this.entries = [];
  }
}

/** Sum a gradient back over broadcast axes and cast it to the input's dtype. */
function fitGradient(g: Tensor, s: TensorSpec, op: string, i: number): Tensor {
  let out = g;
  if (!shapesEqual(g.shape, s.shape)) {
    if (g.shape.length < s.shape.length) throw new Error(`internal: gradient of ${op} input ${i} has shape ${shapeStr(g.shape)}, input has ${shapeStr(s.shape)}`);
    out = sumTo(g, s.shape);
  }
  if (out.dtype !== s.dtype) out = runOp("cast", [out], { dtype: s.dtype })[0]!;
  return out;
}

function spec(t: Tensor): TensorSpec {
  return { shape: t.shape, dtype: t.dtype };
}

/** @internal Record a custom-gradient call on every active tape (its gradFn keeps what it needs). */
export function recordCustom(name: string, vjp: Vjp<unknown>, inputs: readonly Tensor[], outputs: readonly Tensor[]): void {
  const f = currentFrame();
  if (f.pauseRecording) return;
  for (const tape of f.tapes) (tape as Tape).record(name, vjp, {}, inputs, outputs, {});
}
