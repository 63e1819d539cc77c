/**
 * Gradients from the tape, in the eager style: gradient functions, value-and-gradients,
 * implicit gradients with respect to every trainable variable used, custom gradients,
 * GradientTape and stopGradient. Nest them for higher-order gradients.
 */
import { withFrame } from "../engine/context.js";
import { differentiable, runOp, toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { recordCustom, Tape, type TapeOptions } from "../engine/tape.js";
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import { Tensor, Variable, type TensorLike } from "../tensor.js";

type Fn = (...args: Tensor[]) => TensorLike;

function asTarget(y: TensorLike, where: string): Tensor {
  const t = toTensor(y, where);
  if (!differentiable(t.dtype)) throw new DTypeError(`${where}: the function returned a ${t.dtype} tensor; gradients need a float result`);
  return t;
}

function zerosFor(x: Tensor): Tensor {
  return runOp("zerosLike", [x], {})[0]!;
}

function valueAndGrads(f: Fn, args: readonly TensorLike[], where: string): [Tensor, Tensor[]] {
  if (typeof f !== "function") throw new InvalidArgumentError(`${where}: expected a function, got ${typeof f}`);
  return tidy(() => {
    const xs = args.map((a, i) => toTensor(a, `${where} (argument ${i})`));
    const tape = new Tape();
    tape.watch(...xs);
    const y = asTarget(tape.run(() => f(...xs)), where);
    const grads = tape.gradient([y], xs).map((g, i) => g ?? zerosFor(xs[i]!));
    return [y, grads] as [Tensor, Tensor[]];
  });
}

/**
 * A function returning the gradients of `f` with respect to each of its arguments. If `f`
 * returns a non-scalar, its elements are summed first.
 * @example gradientsFunction((x) => square(x))(3) // [Tensor(6)]
 */
export function gradientsFunction(f: Fn): (...args: TensorLike[]) => Tensor[] {
  return (...args) => {
    const [y, grads] = valueAndGrads(f, args, "gradientsFunction");
    if (!grads.includes(y) && !args.includes(y)) y.dispose();
    return grads;
  };
}

/** Like `gradientsFunction`, but also returns f's value: `[value, gradients]`. */
export function valueAndGradientsFunction(f: Fn): (...args: TensorLike[]) => [Tensor, Tensor[]] {
  return (...args) => valueAndGrads(f, args, "valueAndGradientsFunction");
}

function implicit(f: Fn, args: readonly TensorLike[], where: string): [Tensor, [Tensor, Variable][]] {
  if (typeof f !== "function") throw new InvalidArgumentError(`${where}: expected a function, got ${typeof f}`);
  return tidy(() => {
    const tape = new Tape({ watchAccessedVariables: true });
    const y = asTarget(tape.run(() => f(...args.map((a, i) => toTensor(a, `${where} (argument ${i})`)))), where);
    const vars = tape.accessedVariables.filter((v) => v.trainable);
    const grads = tape.gradient([y], vars);
    const pairs = vars.map((v, i) => [grads[i] ?? zerosFor(v), v] as [Tensor, Variable]);
    return [y, pairs] as [Tensor, [Tensor, Variable][]];
  });
}

/**
 * A function returning `[gradient, variable]` pairs for every trainable variable `f` read,
 * in order of first use: the input `optimizer.applyGradients` takes.
 */
export function implicitGradients(f: Fn): (...args: TensorLike[]) => [Tensor, Variable][] {
  return (...args) => {
    const [y, pairs] = implicit(f, args, "implicitGradients");
    if (!pairs.some(([g]) => g === y)) y.dispose();
    return pairs;
  };
}

/** Like `implicitGradients`, but also returns f's value: `[value, pairs]`. */
export function implicitValueAndGradients(f: Fn): (...args: TensorLike[]) => [Tensor, [Tensor, Variable][]] {
  return (...args) => implicit(f, args, "implicitValueAndGradients");
}

/** What a custom-gradient function returns: its value and a function from dy to input gradients. */
export type CustomGradientResult = [TensorLike, (dy: Tensor) => TensorLike | readonly (TensorLike | null)[]];

/**
 * Wrap `f` so its gradient is the one it supplies. `f` returns `[value, gradFn]`; gradFn
 * receives dy and returns one gradient per input (each of its input's shape), and may reuse
 * values from the forward pass. `f` must not read trainable variables (an error): pass them as
 * arguments, so their gradients come from gradFn.
 * @example const log1pexp = customGradient((x) => { const e = exp(x); return [log1p(e), (dy) => mul(dy, sub(1, div(1, add(1, e))))]; });
 */
export function customGradient(f: (...args: Tensor[]) => CustomGradientResult): (...args: TensorLike[]) => Tensor {
  return (...args) => {
    const inputs = args.map((a, i) => toTensor(a, `customGradient (argument ${i})`));
    // Run f with no real tape recording, but a probe that sees every op's inputs: a trainable
    // variable read here would silently get no gradient, so it is an error.
    const read: Variable[] = [];
    const probe = { id: -1, record: (_n: unknown, _v: unknown, _s: unknown, ins: readonly Tensor[]) => {
      for (const t of ins) if (t instanceof Variable && t.trainable && !inputs.includes(t) && !read.includes(t)) read.push(t);
    } };
    const [rawValue, gradFn] = withFrame({ tapes: [probe], pauseRecording: false }, () => f(...inputs));
    if (read.length)
      throw new InvalidArgumentError(
        `customGradient: the function reads trainable variable ${read.map((v) => `"${v.name}"`).join(", ")}, which would get no gradient. ` +
          `Pass it as an argument instead (customGradient((x, w) => ...)(x, w)) and return its gradient from gradFn`,
      );
    if (typeof gradFn !== "function") throw new InvalidArgumentError("customGradient: f must return [value, gradFn]");
    let value = toTensor(rawValue, "customGradient");
    // The output must be a tensor of its own, so the tape does not confuse it with an input.
    if (inputs.includes(value)) value = runOp("reshape", [value], { shape: value.shape })[0]!;
    recordCustom(
      "customGradient",
      ([dy]) => {
        const r = gradFn(dy!);
        const list = Array.isArray(r) ? r : [r];
        if (list.length !== inputs.length) throw new InvalidArgumentError(`customGradient: gradFn returned ${list.length} gradients for ${inputs.length} inputs`);
        return list.map((g, i) => {
          if (g === null) return null;
          const t = toTensor(g as TensorLike, `customGradient gradient ${i}`, inputs[i]!.dtype);
          if (!shapesEqual(t.shape, inputs[i]!.shape))
            throw new ShapeError(`customGradient: gradFn returned a gradient of shape ${shapeStr(t.shape)} for input ${i} (${inputs[i]!.describe()}); it must have the input's shape ${shapeStr(inputs[i]!.shape)}`);
          return t;
        });
      },
      inputs,
      [value],
    );
    return value;
  };
}

/** A value that is the same as `x` but lets no gradient through. */
export function stopGradient(x: TensorLike): Tensor {
  return runOp("stopGradient", [x], {})[0]!;
}

/**
 * Records ops run inside `record(fn)` on watched tensors (and trainable variables), then
 * computes gradients. Persistent tapes may compute several gradients; record inside
 * another tape's `record` for higher-order gradients.
 * @example const tape = new GradientTape(); tape.watch(x); const y = tape.record(() => x.square()); tape.gradient(y, x)
 */
export class GradientTape {
  private readonly tape: Tape;
  constructor(options: TapeOptions = {}) {
    this.tape = new Tape(options);
  }
  /** Watch tensors (variables are watched automatically). */
  watch(...tensors: Tensor[]): void {
    this.tape.watch(...tensors);
  }
  /** Run `fn` (sync or async) while recording; returns what `fn` returns. */
  record<R>(fn: () => R): R {
    return this.tape.run(fn);
  }
  /** Trainable variables read while recording, in order of first use. */
  watchedVariables(): Variable[] {
    return [...this.tape.accessedVariables];
  }
  /**
   * Gradient of `target` (summed if not scalar) with respect to `sources`: one tensor, or
   * an array in the same order; null where a source is not connected to the target.
   */
  gradient(target: Tensor, sources: Tensor, outputGradient?: Tensor): Tensor | null;
  gradient(target: Tensor, sources: readonly Tensor[], outputGradient?: Tensor): (Tensor | null)[];
  gradient(target: Tensor, sources: Tensor | readonly Tensor[], outputGradient?: Tensor): Tensor | null | (Tensor | null)[] {
    if (!(target instanceof Tensor)) throw new InvalidArgumentError("GradientTape.gradient: target must be a tensor");
    const list = sources instanceof Tensor ? [sources] : sources;
    const grads = this.tape.gradient([target], list, outputGradient ? [outputGradient] : undefined);
    return sources instanceof Tensor ? grads[0]! : grads;
  }
  /** Release what a persistent tape holds. */
  dispose(): void {
    this.tape.release();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
