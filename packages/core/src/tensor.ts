/**
 * The Tensor and Variable classes. A tensor is an immutable handle to a core-owned storage
 * on one device (or, when traced, to no data at all). Op methods (`a.add(b)`) are installed
 * from the op API in index.ts; their types are merged in through `TensorMethods`.
 */
import { type DType, type TypedArray } from "./dtype.js";
import { userLine } from "./compile/user-line.js";
import { DisposedTensorError, SymbolicTensorError, InvalidArgumentError, ShapeError, DTypeError } from "./errors.js";
import { formatTensor } from "./format.js";
import { finalizer, Storage, trackInScope } from "./engine/memory.js";
import { engine } from "./engine/engine.js";
import { UNTRACKED_SCOPE, type TidyScope } from "./engine/context.js";
import { copyStorage, copyStorageSync, readStorageSync } from "./engine/transfer.js";
import { getBackend, resolveDevice } from "./engine/registry.js";
import { shapeStr, sizeOf } from "./shape.js";
import type { TensorMethods } from "./api/methods.js";
import type { KernelTensor } from "./ops/def.js";
import { tensorToJSON, type TensorJSON } from "./tensor-json.js";

/** Nested JS arrays of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];
/** Anything accepted where a tensor is: a tensor, a number, a boolean, nested arrays, a typed array. */
export type TensorLike = Tensor | number | boolean | readonly NestedArray[] | TypedArray;

const NURSERY_LIMIT = 1024;
/** Register the escaped tensors waiting in `engine.nursery` with the finalizer. */
function registerNursery(): void {
  const batch = engine.nursery;
  engine.nursery = [];
  for (const t of batch) if (!t._isReleased && t._box) finalizer.register(t, t._box, t);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends TensorMethods {}

/**
 * An n-dimensional array on a device. Ops run at once and return new tensors; inputs are
 * never consumed. Free device memory with `dispose()`, `tidy()` or `using`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor {
  /** Unique id (also the node id when traced). */
  readonly id: number = engine.nextTensorId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** @internal The storage, or null for a symbolic (traced) tensor. */
  _storage: Storage | null;
  /** @internal Whether this tensor was explicitly placed (by a device scope or `to()`). */
  readonly _placed: boolean;
  /** @internal Holders besides the user (tapes, graphs); storage is freed when both let go. */
  _retains = 0;
  private _disposed = false;
  private _released = false;
  private _kept = false;
  /** @internal What the finalizer frees if this tensor is collected undisposed (set once it escapes every tidy scope). */
  _box: { storage: Storage; device: string } | null = null;
  /** @internal Set by the tracer on symbolic tensors. */
  _symbolicName?: string;

  /**
   * @internal Use `tensor()` and the ops to make tensors. `scope` is the tidy scope in force
   * when the caller already read the frame (dispatch does, once per op); omitted, it is read here.
   */
  constructor(storage: Storage | null, shape: readonly number[], dtype: DType, placed: boolean, scope?: TidyScope | null) {
    this._storage = storage;
    // Shapes come from shape rules as fresh arrays and are never mutated (readonly). They are
    // not frozen: V8 copies frozen arrays on a slow path, and shape rules copy shapes often.
    this.shape = shape;
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this._placed = placed;
    if (storage) storage.stats.tensors++;
    // Inside tidy the scope frees the tensor; the finalizer is registered only if it escapes.
    // In the untracked scope (a compiled program's kernels) the program frees it.
    const tracked = scope === undefined ? trackInScope(this) : scope !== null && (scope === UNTRACKED_SCOPE || (scope.tracked.add(this), true));
    if (!tracked && storage) this._escape();
    if (engine.tensorObserver !== null) engine.tensorObserver(this);
  }

  /**
   * @internal The tensor outlives every tidy scope: register it with the finalizer, from
   * now on only GC or dispose() frees it. Registration is batched at the next microtask, so
   * tensors disposed right away (the common case in loops) never pay for it.
   */
  _escape(): void {
    if (this._box || !this._storage || this._released) return;
    this._box = { storage: this._storage, device: this._storage.backend.name };
    const nursery = engine.nursery;
    nursery.push(this);
    if (nursery.length === 1) queueMicrotask(registerNursery);
    else if (nursery.length >= NURSERY_LIMIT) registerNursery(); // long synchronous loops
  }

  get rank(): number {
    return this.shape.length;
  }
  /** The backend name the data lives on ("symbolic" when traced). */
  get device(): string {
    return this._storage ? this._storage.backend.name : "symbolic";
  }
  /** @internal What kernels see of this tensor, made once per storage. */
  _kernelView(): KernelTensor {
    const s = this._storage!;
    if (this._view === null || this._view.data !== s.data) this._view = { data: s.data, shape: this.shape, dtype: this.dtype, size: this.size };
    return this._view;
  }
  private _view: KernelTensor | null = null;

  /** @internal Whether the storage was given back. */
  get _isReleased(): boolean {
    return this._released;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  get isSymbolic(): boolean {
    return this._storage === null;
  }
  get kept(): boolean {
    return this._kept;
  }
  /** @internal Exclude from the enclosing tidy scopes. */
  _keep(): this {
    this._kept = true;
    return this;
  }

  /** Free this tensor's device memory. Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this._retains === 0) this._release();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal */
  _retain(): void {
    this._retains++;
  }
  /** @internal */
  _unretain(): void {
    if (--this._retains === 0 && this._disposed) this._release();
  }
  /** @internal */
  _release(): void {
    if (this._released || !this._storage) return;
    this._released = true;
    if (this._box) finalizer.unregister(this); // a no-op if still in the nursery
    this._storage.stats.tensors--;
    this._storage.release();
  }

  /** @internal The live storage, or a named error. */
  _live(what: string): Storage {
    if (this._released || (this._disposed && this._retains === 0)) throw new DisposedTensorError(`${what}: tensor ${this.describe()} was disposed`);
    if (!this._storage) {
      if (engine.compiling !== null)
        throw new SymbolicTensorError(
          `${what}: ${this.describe()} is symbolic inside compile() and holds no value while the function is traced. ` +
            `A host if/while on a tensor value cannot be compiled: use tf.cond(pred, thenFn, elseFn), tf.whileLoop(condFn, bodyFn, loopVars) ` +
            `or tf.scan(fn, initial, xs), or read the value outside the compiled function` +
            (userLine() ? ` (at ${userLine()})` : ""),
        );
      throw new SymbolicTensorError(`${what}: ${this.describe()} is symbolic (being traced) and holds no values; reading values inside a traced function is not possible`);
    }
    return this._storage;
  }

  /** "float32[2,3]" plus the tensor's name when it has one. */
  describe(): string {
    return `${this.dtype}${shapeStr(this.shape)}${this._symbolicName ? ` "${this._symbolicName}"` : ""}`;
  }

  /** The values as a flat typed array, once queued work is done. */
  async data(): Promise<TypedArray> {
    const s = this._live("data");
    if (engine.readBarrier !== null) await engine.readBarrier();
    s.backend.flush?.();
    const v = await s.backend.read(s.data, s.dtype, s.size);
    return v.slice();
  }
  /** The values as a flat typed array, read synchronously (backends with sync readback). */
  dataSync(): TypedArray {
    return readStorageSync(this._live("dataSync"), "dataSync").slice();
  }
  /** The values as nested arrays (booleans for bool tensors). */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape, this.dtype);
  }
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }
  /**
   * The single value of a one-element tensor: a boolean for bool tensors, else a number.
   * Typed by dtype where the tensor's type fixes it (`Tensor & { dtype: "float32" }`).
   */
  item(this: Tensor & { readonly dtype: "bool" }): boolean;
  item(this: Tensor & { readonly dtype: Exclude<DType, "bool"> }): number;
  item(): number | boolean;
  item(): number | boolean {
    const storage = this._live("item");
    if (this.size !== 1) throw new ShapeError(`item: tensor ${this.describe()} has ${this.size} elements; item() needs exactly one`);
    const v = readStorageSync(storage, "item")[0]!;
    return this.dtype === "bool" ? v !== 0 : v;
  }
  /** @example `${tensor([[4]])}` === "Tensor([[4]], shape=[1,1], dtype=float32)" */
  toString(): string {
    if (this._disposed && this._retains === 0) return `Tensor(<disposed>, shape=${shapeStr(this.shape)}, dtype=${this.dtype})`;
    if (!this._storage) return `Tensor(<symbolic>, shape=${shapeStr(this.shape)}, dtype=${this.dtype})`;
    const s = this._storage;
    if (!s.backend.capabilities.syncRead) return `Tensor(<on ${s.backend.name}: await data() to read>, shape=${shapeStr(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(readStorageSync(s, "toString"), this.shape, this.dtype);
  }
  /** Strings print the tensor; a symbolic tensor used as a number or boolean (`a > b`) throws. */
  [Symbol.toPrimitive](hint: string): string {
    if (hint !== "string" && !this._storage && !this._disposed) this._live(`using a tensor as a ${hint === "number" ? "number" : "value"}`);
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  /** What `JSON.stringify` writes: the values when small, else a summary; never backend internals. */
  toJSON(): TensorJSON {
    return tensorToJSON(this);
  }

  /**
   * A copy of this tensor on `device` (this tensor itself if already there), explicitly placed
   * so later ops on it run there.
   */
  to(device: string): Tensor {
    const name = resolveDevice(device);
    const s = this._live("to");
    const target = getBackend(name);
    checkDTypeOn(target.name, target.capabilities.dtypes, this.dtype, "to");
    const storage = s.backend === target ? (s.retain(), s) : copyStorageSync(s, target, `to("${device}")`);
    return new Tensor(storage, this.shape, this.dtype, true);
  }
  /** Like `to()`, but waits for an asynchronous read when the source cannot read synchronously. */
  async toAsync(device: string): Promise<Tensor> {
    const name = resolveDevice(device);
    const s = this._live("toAsync");
    const target = getBackend(name);
    checkDTypeOn(target.name, target.capabilities.dtypes, this.dtype, "toAsync");
    const storage = s.backend === target ? (s.retain(), s) : await copyStorage(s, target);
    return new Tensor(storage, this.shape, this.dtype, true);
  }
}

function checkDTypeOn(device: string, dtypes: readonly DType[], dtype: DType, what: string): void {
  if (!dtypes.includes(dtype)) throw new DTypeError(`${what}: device "${device}" does not support dtype ${dtype} (it supports ${dtypes.join(", ")})`);
}

/** Nested arrays from flat row-major values. */
export function toNested(data: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]!);
  const rec = (axis: number, offset: number): NestedArray[] => {
    const n = shape[axis]!;
    const stride = sizeOf(shape.slice(axis + 1));
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = axis === shape.length - 1 ? conv(data[offset + i]!) : rec(axis + 1, offset + i * stride);
    return out;
  };
  return rec(0, 0);
}

/**
 * A mutable tensor: a model's weights. Ops read its current value; `assign` replaces it.
 * Variables are never disposed by `tidy`.
 */
export class Variable extends Tensor {
  readonly name: string;
  readonly trainable: boolean;
  constructor(storage: Storage, shape: readonly number[], dtype: DType, placed: boolean, name: string, trainable: boolean) {
    super(storage, shape, dtype, placed);
    this.name = name;
    this.trainable = trainable;
    this._keep();
  }
  /** "float32[2,3] variable \"dense/kernel\"". */
  override describe(): string {
    return `${super.describe()} variable "${this.name}"`;
  }
  /** Printed like a tensor, prefixed with the variable's name. */
  override toString(): string {
    return `Variable "${this.name}": ${super.toString()}`;
  }
  /** @internal Replace the storage with `value`'s (same shape and dtype, moved to this device). */
  _assignStorage(value: Tensor, what: string): void {
    if (value.dtype !== this.dtype) throw new DTypeError(`${what}: variable "${this.name}" is ${this.dtype} but the value is ${value.dtype}`);
    if (value.size !== this.size || value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i]))
      throw new ShapeError(`${what}: variable "${this.name}" has shape ${shapeStr(this.shape)} but the value has shape ${shapeStr(value.shape)}`);
    if (engine.compiling !== null) {
      engine.compiling.assign(this, value);
      return;
    }
    const src = value._live(what);
    const old = this._live(what);
    let next: Storage;
    if (src.backend === old.backend) {
      src.retain();
      next = src;
    } else next = copyStorageSync(src, old.backend, what);
    this._storage = next;
    if (this._box) this._box.storage = next;
    old.release();
  }
}

export function assertTensorArg(x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new InvalidArgumentError(`${what}: expected a Tensor, got ${typeof x}`);
}
