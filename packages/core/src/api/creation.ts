/**
 * Creating tensors and variables from host values: tensor, scalar, zeros, ones, fill,
 * range, linspace, eye, variable. New tensors go to the current device.
 */
import { assertDType, allocArray, type DType } from "../dtype.js";
import { currentDevice, runOp, tensorFromHost, toTensor } from "../engine/dispatch.js";
import { hostValues } from "../engine/host-data.js";
import { Storage } from "../engine/memory.js";
import { InvalidArgumentError } from "../errors.js";
import { validateShape } from "../shape.js";
import { Tensor, Variable, type TensorLike } from "../tensor.js";
import { copyStorageSync } from "../engine/transfer.js";
import { getBackend } from "../engine/registry.js";
import { registerVariable } from "./variable-registry.js";
import { engine } from "../engine/engine.js";
import { asCalled } from "./caller.js";
import { concreteDraw } from "../compile/host.js";
import { FOLD_DEVICE } from "../compile/fold.js";
import { checkNewTensorSize } from "./size-check.js";

/**
 * A tensor from nested arrays, a typed array or a scalar. Numbers give float32, booleans bool.
 * @example tensor([[1, 2], [3, 4]]); tensor([1, 2, 3, 4], [2, 2], "int32")
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (values instanceof Tensor) {
    if (shape || (dtype && dtype !== values.dtype)) throw new InvalidArgumentError("tensor: pass plain values, not a tensor, when giving a shape or dtype");
    return runOp("reshape", [values], { shape: values.shape })[0]!;
  }
  if (dtype !== undefined) assertDType(dtype, "tensor");
  const hv = hostValues(values, shape, dtype, "tensor");
  return tensorFromHost(hv.values, hv.shape, hv.dtype);
}

/** A rank-0 tensor. */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") throw new InvalidArgumentError(`scalar: expected a number or boolean, got ${typeof value}`);
  return tensor(value, [], dtype);
}

/** A tensor of `shape` filled with `value`. */
export function fill(shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean")
    throw new InvalidArgumentError(`fill: value must be a number or a boolean, got ${typeof value === "string" ? JSON.stringify(value) : typeof value}`);
  const d = dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  return runOp("fill", [], { shape: validateShape(shape, "fill"), dtype: assertDType(d, "fill"), value: Number(value) })[0]!;
}

/** Zeros of `shape`. @example zeros([1, 1, 784]) */
export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return asCalled("zeros", () => fill(shape, 0, dtype));
}

/** Ones of `shape`. */
export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return asCalled("ones", () => fill(shape, 1, dtype));
}

/** start, start + step, ... up to (not including) stop. @example range(0, 5) // [0,1,2,3,4] */
export function range(start: number, stop?: number, step = 1, dtype: DType = "float32"): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite)) throw new InvalidArgumentError(`range: start, stop and step must be finite numbers`);
  if (step === 0) throw new InvalidArgumentError("range: step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkNewTensorSize("range", [n], assertDType(dtype, "range"));
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return asCalled("range", () => tensorFromHost(data, [n], dtype));
}

/** `num` evenly spaced values from start to stop, both included. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`linspace: num must be an integer >= 0, got ${num}`);
  checkNewTensorSize("linspace", [num], "float32");
  const data = allocArray("float32", num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return asCalled("linspace", () => tensorFromHost(data, [num], "float32"));
}

/** An identity matrix (optionally rectangular, optionally batched). */
export function eye(numRows: number, numColumns = numRows, batchShape: readonly number[] = [], dtype: DType = "float32"): Tensor {
  const [r, c] = validateShape([numRows, numColumns], "eye");
  const batch = validateShape(batchShape, "eye");
  const shape = [...batch, r!, c!];
  const total = checkNewTensorSize("eye", shape, assertDType(dtype, "eye"));
  const data = allocArray(dtype, total);
  for (let base = 0; base < total; base += r! * c!) for (let i = 0; i < Math.min(r!, c!); i++) data[base + i * c! + i] = 1;
  return asCalled("eye", () => tensorFromHost(data, shape, dtype));
}

/** Options for `variable`. */
export interface VariableOptions {
  readonly name?: string;
  /** Whether `implicitGradients` and optimizers see it (default true). */
  readonly trainable?: boolean;
  readonly dtype?: DType;
}

/**
 * A mutable tensor: `assign`, `assignAdd`, `assignSub` replace its value. Trainable
 * variables read inside `implicitGradients(f)` get gradients.
 * @example const w = variable(zeros([784, 10]), { name: "w" });
 */
export function variable(initial: TensorLike, options: VariableOptions = {}): Variable {
  // A random draw inside compile is a node; a variable made from one takes the value drawn now.
  if (initial instanceof Tensor) initial = concreteDraw(initial);
  const t = toTensor(initial, "variable", options.dtype);
  const value = options.dtype && options.dtype !== t.dtype ? runOp("cast", [t], { dtype: options.dtype })[0]! : t;
  const where = currentDevice();
  const src = value._live("variable");
  // Inside compile an unplaced value may be a folded constant on the reference backend: the variable goes where eager code would put it.
  const folded = engine.compiling !== null && !value._placed && src.backend.name === FOLD_DEVICE;
  const target = where.placed || folded ? getBackend(where.name) : src.backend;
  let storage: Storage;
  if (target === src.backend) {
    src.retain();
    storage = src;
  } else storage = copyStorageSync(src, target, "variable");
  const v = new Variable(storage, value.shape, value.dtype, where.placed || value._placed, options.name ?? `Variable_${engine.variableCount++}`, options.trainable ?? true);
  if (value !== t) value.dispose();
  if (t !== initial) t.dispose();
  registerVariable(v);
  return v;
}

declare module "../tensor.js" {
  interface Variable {
    /** Replace the value (same shape and dtype). Returns this variable. */
    assign(value: TensorLike): this;
    /** this += delta. */
    assignAdd(delta: TensorLike): this;
    /** this -= delta. */
    assignSub(delta: TensorLike): this;
  }
}

Variable.prototype.assign = function (this: Variable, value: TensorLike) {
  const t = toTensor(value, "assign", this.dtype);
  this._assignStorage(t, "assign");
  if (t !== value) t.dispose();
  return this;
};
Variable.prototype.assignAdd = function (this: Variable, delta: TensorLike) {
  const t = runOp("add", [this, delta], {})[0]!;
  this._assignStorage(t, "assignAdd");
  t.dispose();
  return this;
};
Variable.prototype.assignSub = function (this: Variable, delta: TensorLike) {
  const t = runOp("sub", [this, delta], {})[0]!;
  this._assignStorage(t, "assignSub");
  t.dispose();
  return this;
};
