/**
 * Dispatch: the one path every op takes. Convert plain values, check dtypes, promote, derive
 * the op's plan and infer output shapes, then either record a symbolic node (tracing) or choose
 * a device, move inputs there, allocate outputs, hand the kernel the call resolved into one
 * record (`ResolvedOp`), and record on any watching tape. The frame is read once per op.
 */
import { bytesPerElement, isFloat, promoteTypes, type DType, type TypedArray } from "../dtype.js";
import { DeviceMismatchError, DisposedTensorError, DTypeError, InvalidArgumentError, KernelUnavailableError } from "../errors.js";
import type { KernelTensor, OpDef, ResolvedOp, TensorSpec } from "../ops/def.js";
import { opTable, type Attrs, type OpName } from "../ops/table.js";
import { bindPrimitives } from "../ops/primitives.js";
import type { Backend } from "../plugin.js";
import { Tensor, Variable, type TensorLike } from "../tensor.js";
import { currentFrame, withFrame, type Frame } from "./context.js";
import { engine } from "./engine.js";
import { runDecomposition, shouldDecompose } from "./decompose.js";
import { hostValues } from "./host-data.js";
import { Storage } from "./memory.js";
import { checkLiveLimit } from "./memory-limit.js";
import { getFallbackPolicy, noteFallback, noteOp } from "./placement.js";
import { bestCpuBackend, getBackend, getDefaultDevice } from "./registry.js";
import { copyStorageSync } from "./transfer.js";
import { sizeOf } from "../shape.js";

/** Run `fn` as a tape's gradient replay (retained, user-disposed tensors may be read). */
export function inBackward<R>(fn: () => R): R {
  engine.backwardDepth++;
  try {
    return fn();
  } finally {
    engine.backwardDepth--;
  }
}

/** True while a tape replays gradients. */
export function isInBackward(): boolean {
  return engine.backwardDepth > 0;
}

/** The device for new tensors in `frame` (default: the current one), and whether it was chosen by a scope. */
export function currentDevice(frame: Frame = currentFrame()): { name: string; placed: boolean } {
  const d = frame.device;
  return d ? { name: d, placed: true } : { name: getDefaultDevice(), placed: false };
}

/** `backend.alloc`, with the backend's size limit and allocation failures as clear errors. */
export function allocOn(backend: Backend<any>, dtype: DType, size: number, op: string): unknown {
  checkLiveLimit(op);
  const limit = backend.capabilities.maxElements;
  if (limit !== undefined && size > limit)
    throw new InvalidArgumentError(`${op}: a ${dtype} tensor of ${size} elements exceeds the limit of device "${backend.name}" (${limit} elements)`);
  try {
    return backend.alloc(dtype, size);
  } catch (e) {
    throw new InvalidArgumentError(`${op}: could not allocate ${size * bytesPerElement(dtype)} bytes on device "${backend.name}": ${(e as Error).message}`);
  }
}

/**
 * A tensor holding host values, on the current device (falling back if it lacks the dtype).
 * `frame`, when the caller has read it already, gives the device and tidy scope.
 */
export function tensorFromHost(values: TypedArray, shape: readonly number[], dtype: DType, device?: { name: string; placed: boolean }, frame?: Frame): Tensor {
  const where = device ?? currentDevice(frame);
  const backend = selectBackend("tensor", where.name, [dtype], false);
  const buf = allocOn(backend, dtype, values.length, "tensor");
  if (values.length > 0) backend.write(buf, values);
  return new Tensor(new Storage(backend, buf, dtype, values.length), shape, dtype, where.placed, frame?.tidy);
}

/** Convert a plain value to a tensor; numbers follow `hint` when it is numeric. `frame` as for tensorFromHost. */
export function toTensor(x: TensorLike, where: string, hint?: DType, frame?: Frame): Tensor {
  if (x instanceof Tensor) return x;
  if (x === undefined || x === null) throw new InvalidArgumentError(`${where}: expected a tensor or values, got ${String(x)}`);
  if (typeof x === "string" || typeof x === "function" || (typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x)))
    throw new InvalidArgumentError(`${where}: expected a tensor or values, got ${typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x}`);
  const numberDType: DType = hint && hint !== "bool" ? hint : "float32";
  const hv = hostValues(x, undefined, undefined, where, numberDType);
  return tensorFromHost(hv.values, hv.shape, hv.dtype, undefined, frame);
}

function lacks(b: Backend<any>, op: string, dtypes: readonly DType[], needKernel: boolean): string | null {
  if (needKernel && !(op in b.kernels)) return `no ${op} kernel`;
  const allowed = (b.kernelDTypes as Record<string, readonly DType[]> | undefined)?.[op] ?? b.capabilities.dtypes;
  for (const d of dtypes) if (!allowed.includes(d)) return `no ${d} support${allowed === b.capabilities.dtypes ? "" : ` in ${op}`}`;
  return null;
}

/** The backend that runs `op` when `requested` was chosen, following the fallback chain. */
export function selectBackend(op: string, requested: string, dtypes: readonly DType[], needKernel = true): Backend<any> {
  let backend = getBackend(requested);
  const first = lacks(backend, op, dtypes, needKernel);
  if (first === null) return backend;
  const tried = [requested];
  let reason: string | null = first;
  while (reason !== null) {
    if (getFallbackPolicy() === "error")
      throw new KernelUnavailableError(`${op}: device "${requested}" has ${first} and the fallback policy is "error"`);
    const next: string | null = backend.fallback ?? bestCpuBackend(backend.name) ?? (backend.name !== "reference" ? "reference" : null);
    if (next === null || tried.includes(next)) throw new KernelUnavailableError(`${op}: no device can run it (tried ${tried.join(", ")}; ${first})`);
    tried.push(next);
    backend = getBackend(next);
    reason = lacks(backend, op, dtypes, needKernel);
  }
  noteFallback(op, requested, backend.name, first);
  return backend;
}

/** selectBackend without allocating when the requested backend has the kernel and dtypes. */
function backendFor(op: string, device: string, inputs: readonly Tensor[], specs: readonly TensorSpec[]): Backend<any> {
  const b = getBackend(device);
  if (op in b.kernels) {
    const allowed = (b.kernelDTypes as Record<string, readonly DType[]> | undefined)?.[op] ?? b.capabilities.dtypes;
    let ok = true;
    for (let i = 0; i < inputs.length && ok; i++) ok = allowed.includes(inputs[i]!.dtype);
    for (let i = 0; i < specs.length && ok; i++) ok = allowed.includes(specs[i]!.dtype);
    if (ok) return b;
  }
  const dtypes: DType[] = inputs.map((t) => t.dtype);
  for (const s of specs) dtypes.push(s.dtype);
  return selectBackend(op, device, dtypes);
}

/**
 * The device an op was explicitly given: the frame's device scope, else the device its inputs
 * were placed on; null when neither applies (the op then runs on the default device).
 */
function chooseDevice(op: string, inputs: readonly Tensor[], frame: Frame): string | null {
  const scoped = frame.device;
  if (scoped) return scoped;
  let placed: Tensor | null = null;
  for (const t of inputs) {
    if (!t._placed) continue;
    if (placed && placed.device !== t.device)
      throw new DeviceMismatchError(
        `${op}: inputs are placed on different devices: ${placed.describe()} on "${placed.device}" and ${t.describe()} on "${t.device}"; move one with .to(device) or choose with withDevice()`,
      );
    placed ??= t;
  }
  return placed ? placed.device : null;
}

function checkInputs(def: OpDef<unknown>, inputs: readonly Tensor[]): void {
  if (def.arity >= 0 && inputs.length !== def.arity) throw new InvalidArgumentError(`${def.name}: expected ${def.arity} tensor inputs, got ${inputs.length}`);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t.isDisposed && !(engine.backwardDepth > 0 && t._retains > 0)) throw new DisposedTensorError(`${def.name}: input ${i} (${t.describe()}) was disposed`);
    if (def.inputDTypes && !def.inputDTypes.includes(t.dtype))
      throw new DTypeError(`${def.name}: input ${i} has dtype ${t.dtype}; ${def.name} accepts ${def.inputDTypes.join(", ")}`);
  }
}

/**
 * Run one op of the table on tensors or plain values. Returns its outputs (new tensors).
 * This is the single entry every public op goes through.
 */
export function runOp<K extends OpName>(name: K, args: readonly TensorLike[], attrs: Attrs<K>): Tensor[] {
  const def = opTable[name] as unknown as OpDef<Attrs<K>>;
  // The frame (device scope, tidy scope, tapes) is read once per op and passed down.
  const frame = currentFrame();
  let temps: Tensor[] | null = null;
  let hint: DType | undefined;
  for (const a of args) if (a instanceof Tensor) {
    hint = hint ? promoteTypes(hint, a.dtype) : a.dtype;
  }
  let inputs = args as readonly Tensor[];
  for (let i = 0; i < args.length; i++) {
    if (args[i] instanceof Tensor) continue;
    if (inputs === args) inputs = [...args] as Tensor[];
    const t = toTensor(args[i]!, `${name} (argument ${i})`, hint, frame);
    (inputs as Tensor[])[i] = t;
    (temps ??= []).push(t);
  }
  try {
    checkInputs(def as OpDef<unknown>, inputs);
    if (def.promote) {
      const { common, mixed } = promotion(def.promote, inputs);
      if (mixed || inputs[0]!.dtype !== common) {
        inputs = inputs.map((t) => {
          if (t.dtype === common) return t;
          const c = runOp("cast", [t], { dtype: common })[0]!;
          (temps ??= []).push(c);
          return c;
        });
      }
    }
    // The plan (e.g. a convolution's validated window geometry) is derived once; infer and the kernel read it.
    const plan = def.plan ? def.plan(inputs, attrs) : undefined;
    const specs = def.infer(inputs, attrs, plan);
    let symbolic = false;
    for (let i = 0; i < inputs.length; i++) if (inputs[i]!._storage === null) symbolic = true;
    // Under compile, variables are program inputs: an op reading one is recorded, not run.
    if (!symbolic && engine.compiling !== null) for (let i = 0; i < inputs.length; i++) if (inputs[i] instanceof Variable) symbolic = true;
    const observer = engine.opObserver;
    const folded = !symbolic && engine.compiling !== null ? (engine.compiling.fold?.(def.name, inputs, attrs) ?? null) : null;
    const outputs = symbolic
      ? recordSymbolic(def, inputs, attrs, specs)
      : folded !== null
        ? folded
        : observer === null
        ? execute(def, inputs, attrs, specs, frame, plan)
        : observer.observe(def, inputs, attrs, () => execute(def, inputs, attrs, specs, frame, plan));
    if (frame.tapes.length > 0 && !frame.pauseRecording)
      for (const tape of frame.tapes) tape.record(def.name, def.vjp, def.saves, inputs, outputs, attrs);
    return outputs;
  } finally {
    // Converted and promoted inputs are ours; a tape that needs them holds its own reference.
    if (temps) for (const t of temps) t.dispose();
  }
}

/** The dtype an op's inputs are cast to under its promotion rule, and whether their dtypes differ. */
function promotion(rule: NonNullable<OpDef<unknown>["promote"]>, inputs: readonly Tensor[]): { common: DType; mixed: boolean } {
  let common = inputs[0]!.dtype;
  let mixed = false;
  for (let i = 1; i < inputs.length; i++) {
    const d = inputs[i]!.dtype;
    if (d !== common) {
      mixed = true;
      common = promoteTypes(common, d);
    }
  }
  if (rule === "float" && !isFloat(common)) common = "float32";
  else if (rule === "arith" && common === "bool") common = "int32";
  return { common, mixed };
}

function recordSymbolic<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, specs: readonly TensorSpec[]): Tensor[] {
  if (engine.compiling !== null) return engine.compiling.record(def, inputs, attrs, specs);
  const recorder = engine.symbolicRecorder;
  if (!recorder) throw new InvalidArgumentError(`${def.name}: a symbolic input does not belong to an active trace`);
  return recorder(def, inputs, attrs, specs);
}

/**
 * Run one op on real tensors: choose the device and backend, move inputs there, allocate the
 * outputs, resolve the call into one record and hand it to the kernel.
 */
function execute<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, specs: readonly TensorSpec[], frame: Frame, plan: unknown): Tensor[] {
  const chosen = chooseDevice(def.name, inputs, frame);
  const placed = chosen !== null;
  const device = chosen ?? getDefaultDevice();
  if (def.decompose !== undefined) {
    const target = getBackend(device);
    if (shouldDecompose(def as OpDef<unknown>, target)) return runDecomposition(def, target, inputs, attrs, specs, placed);
  }
  return launch(def, backendFor(def.name, device, inputs, specs), placed, inputs, attrs, specs, frame, plan, null)!;
}

/** A kernel run in place of the backend's own for one resolved call; false declines it. */
export type ResolvedKernel = (backend: Backend<any>, op: ResolvedOp<unknown>) => boolean;

/**
 * Run op `name` on real tensors exactly as `runOp` resolves it (device, backend, moved inputs,
 * allocated outputs, plan), but hand the resolved call to `kernel` instead of the backend's
 * kernel (a fused kernel built around the op). Returns null, with nothing left allocated, when
 * `kernel` declines, when the op would run as its decomposition there, or when its inputs would
 * need promoting; outputs without elements skip `kernel`. Not recorded on tapes (compiled programs
 * run unrecorded) and noted in the placement log as `label`.
 */
export function runResolvedWith<K extends OpName>(name: K, inputs: readonly Tensor[], attrs: Attrs<K>, kernel: ResolvedKernel, label: string): Tensor[] | null {
  const def = opTable[name] as unknown as OpDef<unknown>;
  const frame = currentFrame();
  checkInputs(def, inputs);
  if (def.promote) {
    const { common } = promotion(def.promote, inputs);
    if (inputs.some((t) => t.dtype !== common)) return null;
  }
  const plan = def.plan ? def.plan(inputs, attrs) : undefined;
  const specs = def.infer(inputs, attrs, plan);
  const chosen = chooseDevice(def.name, inputs, frame);
  const device = chosen ?? getDefaultDevice();
  if (def.decompose !== undefined && shouldDecompose(def, getBackend(device))) return null;
  return launch(def, backendFor(def.name, device, inputs, specs), chosen !== null, inputs, attrs, specs, frame, plan, kernel, label);
}

/**
 * The common end of `execute` and `runResolvedWith`: move inputs to `backend`, allocate the
 * outputs, resolve the call and run the backend's kernel (or `custom`, which may decline: then
 * everything allocated here is freed and the result is null).
 */
function launch<A>(
  def: OpDef<A>,
  backend: Backend<any>,
  placed: boolean,
  inputs: readonly Tensor[],
  attrs: A,
  specs: readonly TensorSpec[],
  frame: Frame,
  plan: unknown,
  custom: ResolvedKernel | null,
  label: string = def.name,
): Tensor[] | null {
  const kin: KernelTensor[] = new Array(inputs.length);
  let moved: Storage[] | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    const s = t._storage!;
    if (s.backend !== backend) {
      const copy = copyStorageSync(s, backend, `${def.name}: moving input ${i} from "${s.backend.name}" to "${backend.name}"`);
      (moved ??= []).push(copy);
      kin[i] = { data: copy.data, shape: t.shape, dtype: t.dtype, size: t.size };
    } else kin[i] = t._kernelView();
  }
  const outputs: Tensor[] = new Array(specs.length);
  const kout: KernelTensor[] = new Array(specs.length);
  const scope = frame.tidy;
  let anyElements = false;
  let ok = true;
  try {
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const size = sizeOf(spec.shape);
      let buf: unknown;
      try {
        buf = allocOn(backend, spec.dtype, size, def.name);
      } catch (e) {
        for (let j = 0; j < i; j++) outputs[j]!.dispose();
        throw e;
      }
      const t = new Tensor(new Storage(backend, buf, spec.dtype, size), spec.shape, spec.dtype, placed, scope);
      outputs[i] = t;
      kout[i] = t._kernelView();
      if (t.size > 0) anyElements = true;
    }
    try {
      if (anyElements) {
        const op: ResolvedOp<A> = { def, inputs: kin, outputs: kout, attrs, device: backend.name, plan };
        if (custom) ok = custom(backend, op as ResolvedOp<unknown>);
        else {
          const kernel = backend.kernels[def.name as OpName] as unknown as (i: readonly KernelTensor[], o: readonly KernelTensor[], a: A, op: ResolvedOp<A>) => void;
          kernel(kin, kout, attrs, op);
        }
      }
    } catch (e) {
      for (const t of outputs) t.dispose();
      throw e;
    }
  } finally {
    if (moved) for (const s of moved) s.release();
  }
  if (!ok) {
    for (const t of outputs) t.dispose();
    return null;
  }
  noteOp(label, backend.name);
  return outputs;
}

/** True for dtypes that carry gradients. */
export function differentiable(dtype: DType): boolean {
  return isFloat(dtype);
}

// Gradient rules and decompositions call ops through the primitives object; bind it to this dispatcher.
bindPrimitives({
  table: opTable,
  run: (name, inputs, attrs) => runOp(name as OpName, inputs, attrs as never),
  withoutRecording: (fn) => withFrame({ pauseRecording: true }, fn),
});
