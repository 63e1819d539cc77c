/**
 * TF.js names for what this package already does: gradient functions (grad, grads,
 * valueAndGrad, valueAndGrads, variableGrads), print, dispose, disposeVariables, clone,
 * flatten, asType, tensor1d..tensor4d, setBackend/getBackend and nextFrame. Each is a thin
 * alias with TF.js's signature; where TF.js's meaning differs from this package's, TF.js's wins.
 * (`setBackend` accepts this package's backend names and the "cpu"/"gpu" aliases.)
 */
import type { DType } from "../dtype.js";
import { runOp, toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { getDefaultDevice, ready, resolveDevice, setDefaultDevice } from "../engine/registry.js";
import { Tape } from "../engine/tape.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { Tensor, Variable, type TensorLike } from "../tensor.js";
import { tensor } from "./creation.js";
import { cast } from "./elementwise.js";
import { reshape } from "./movement.js";
import { liveVariables } from "./variable-registry.js";

function gradsOf(f: (...xs: Tensor[]) => TensorLike, args: readonly TensorLike[], dy: TensorLike | undefined, where: string, trainable: boolean): { value: Tensor; grads: Tensor[] } {
  if (typeof f !== "function") throw new InvalidArgumentError(`${where}: expected a function, got ${typeof f}`);
  return tidy(() => {
    const xs = args.map((a, i) => toTensor(a, `${where} (argument ${i})`));
    const tape = new Tape({ watchAccessedVariables: trainable });
    tape.watch(...xs);
    const value = toTensor(tape.run(() => f(...xs)), where);
    const seed = dy === undefined ? undefined : [toTensor(dy, `${where}: dy`, value.dtype)];
    if (seed && seed[0]!.size !== value.size) throw new ShapeError(`${where}: dy ${seed[0]!.describe()} must have the shape of f's value ${value.describe()}`);
    const grads = tape.gradient([value], xs, seed).map((g, i) => g ?? runOp("zerosLike", [xs[i]!], {})[0]!);
    return { value, grads };
  });
}

/**
 * Alias of TF.js `tf.grad(f)`: a function returning df/dx (summed over f's elements, or
 * weighted by `dy`). Same as `gradientsFunction(f)` for one argument.
 * @example grad((x) => x.square())(3) // 6
 */
export function grad(f: (x: Tensor) => TensorLike): (x: TensorLike, dy?: TensorLike) => Tensor {
  return (x, dy) => {
    const { value, grads } = gradsOf(f as (...xs: Tensor[]) => TensorLike, [x], dy, "grad", false);
    if (grads[0] !== value) value.dispose();
    return grads[0]!;
  };
}

/** Alias of TF.js `tf.grads(f)`: gradients with respect to every argument, passed as an array. */
export function grads(f: (...args: Tensor[]) => TensorLike): (args: readonly TensorLike[], dy?: TensorLike) => Tensor[] {
  return (args, dy) => {
    const { value, grads: gs } = gradsOf(f, args, dy, "grads", false);
    if (!gs.includes(value)) value.dispose();
    return gs;
  };
}

/** Alias of TF.js `tf.valueAndGrad(f)`: `{ value, grad }`. */
export function valueAndGrad(f: (x: Tensor) => TensorLike): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  return (x, dy) => {
    const { value, grads: gs } = gradsOf(f as (...xs: Tensor[]) => TensorLike, [x], dy, "valueAndGrad", false);
    return { value, grad: gs[0]! };
  };
}

/** Alias of TF.js `tf.valueAndGrads(f)`: `{ value, grads }` for arguments passed as an array. */
export function valueAndGrads(f: (...args: Tensor[]) => TensorLike): (args: readonly TensorLike[], dy?: TensorLike) => { value: Tensor; grads: Tensor[] } {
  return (args, dy) => gradsOf(f, args, dy, "valueAndGrads", false);
}

/**
 * Alias of TF.js `tf.variableGrads(f, varList?)`: the value of `f` and the gradient of every
 * trainable variable it reads (or of `varList`), keyed by variable name.
 * @example const { value, grads } = variableGrads(() => w.square().sum()); grads[w.name]
 */
export function variableGrads(f: () => Tensor, varList?: readonly Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  if (typeof f !== "function") throw new InvalidArgumentError("variableGrads: expected a function");
  return tidy(() => {
    const tape = new Tape({ watchAccessedVariables: varList === undefined });
    if (varList) tape.watch(...varList);
    const value = toTensor(tape.run(f), "variableGrads");
    const vars = varList ? [...varList] : tape.accessedVariables.filter((v) => v.trainable);
    const gs = tape.gradient([value], vars);
    const out: Record<string, Tensor> = {};
    vars.forEach((v, i) => (out[v.name] = gs[i] ?? runOp("zerosLike", [v], {})[0]!));
    return { value, grads: out };
  });
}

/** Alias of TF.js `tf.print(x, verbose?)`: writes `x` to the console (with dtype, shape and device when verbose). */
export function print(x: Tensor, verbose = false): void {
  if (!(x instanceof Tensor)) throw new InvalidArgumentError(`print: expected a tensor, got ${typeof x}`);
  const name = x instanceof Variable ? ` "${x.name}"` : "";
  if (verbose) console.log(`Tensor${name}\n  dtype: ${x.dtype}\n  rank: ${x.rank}\n  shape: [${x.shape.join(",")}]\n  device: ${x.device}\n  values:\n    ${x.toString()}`);
  else console.log(x.toString());
}

/** What `dispose` accepts: a tensor, or arrays and plain objects holding tensors (anything else is ignored). */
export type TensorContainer = Tensor | null | undefined | number | string | boolean | readonly TensorContainer[] | { readonly [key: string]: TensorContainer };

/**
 * Alias of TF.js `tf.dispose(container)`: dispose every tensor in `container`, walking arrays
 * and plain objects (tensors' own fields are not walked). Idempotent.
 * @example dispose([a, { b, c: [d] }])
 */
export function dispose(container: TensorContainer): void {
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x instanceof Tensor) x.dispose();
    else if (typeof x === "object" && x !== null && !seen.has(x)) {
      seen.add(x);
      if (Array.isArray(x)) x.forEach(walk);
      else if (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null) Object.values(x).forEach(walk);
    }
  };
  walk(container);
}

/** Alias of TF.js `tf.disposeVariables()`: dispose every variable made so far (layers' weights and optimizer slots included). */
export function disposeVariables(): void {
  for (const v of liveVariables()) v.dispose();
}

/** Alias of TF.js `tf.clone(x)`: a new tensor with the same values (dispose it apart from `x`). */
export function clone(x: TensorLike): Tensor {
  return x instanceof Tensor ? runOp("reshape", [x], { shape: x.shape })[0]! : toTensor(x, "clone");
}

/** Alias of TF.js `x.flatten()`: reshape to rank 1. */
export function flatten(x: TensorLike): Tensor {
  return reshape(x, [-1]);
}

/** Alias of TF.js `x.asType(dtype)`: same as `cast`. */
export function asType(x: TensorLike, dtype: DType): Tensor {
  return cast(x, dtype);
}

/** Alias of TF.js `tf.tensor1d(values, dtype?)`: a rank-1 tensor (other ranks are an error). */
export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  return ranked(values, undefined, dtype, 1);
}
/** Alias of TF.js `tf.tensor2d(values, shape?, dtype?)`. @example tensor2d([1, 2, 3, 4], [2, 2]) */
export function tensor2d(values: TensorLike, shape?: readonly [number, number], dtype?: DType): Tensor {
  return ranked(values, shape, dtype, 2);
}
/** Alias of TF.js `tf.tensor3d(values, shape?, dtype?)`. */
export function tensor3d(values: TensorLike, shape?: readonly [number, number, number], dtype?: DType): Tensor {
  return ranked(values, shape, dtype, 3);
}
/** Alias of TF.js `tf.tensor4d(values, shape?, dtype?)`. */
export function tensor4d(values: TensorLike, shape?: readonly [number, number, number, number], dtype?: DType): Tensor {
  return ranked(values, shape, dtype, 4);
}
function ranked(values: TensorLike, shape: readonly number[] | undefined, dtype: DType | undefined, rank: number): Tensor {
  const t = tensor(values, shape, dtype);
  if (t.rank !== rank) {
    t.dispose();
    throw new ShapeError(`tensor${rank}d: expected rank-${rank} values${shape ? "" : " (or pass a shape)"}, got rank ${t.rank}`);
  }
  return t;
}

/**
 * Alias of TF.js `tf.setBackend(name)`: make `name` the default device and wait until it is
 * ready. Resolves to true, or false if no such backend is registered (as in TF.js).
 * @example await setBackend("cpu")
 */
export async function setBackend(name: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = resolveDevice(name);
  } catch {
    return false;
  }
  await ready(resolved);
  setDefaultDevice(resolved);
  return true;
}

/** Alias of TF.js `tf.getBackend()`: the name of the default device. */
export function getBackend(): string {
  return getDefaultDevice();
}

/**
 * Alias of TF.js `tf.nextFrame()`: resolves at the next animation frame in a browser, or on the
 * next macrotask elsewhere, so a long loop lets the page or event loop breathe.
 */
export function nextFrame(): Promise<void> {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  return new Promise((resolve) => (raf ? raf(() => resolve()) : setTimeout(resolve, 0)));
}

/** Alias of TF.js's rank-typed tensor types: here every tensor is a `Tensor` (ranks are not tracked in types). */
export type Scalar = Tensor;
/** See {@link Scalar}. */
export type Tensor1D = Tensor;
/** See {@link Scalar}. */
export type Tensor2D = Tensor;
/** See {@link Scalar}. */
export type Tensor3D = Tensor;
/** See {@link Scalar}. */
export type Tensor4D = Tensor;
