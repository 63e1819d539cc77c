/**
 * Memory ownership: reference-counted storages owned by core, tidy scopes (sync and async),
 * `memory()` accounting per device, and a FinalizationRegistry that frees storages whose
 * tensors were garbage-collected without `dispose()`.
 */
import { bytesPerElement, type DType } from "../dtype.js";
import type { Backend } from "../plugin.js";
import { currentFrame, isPromise, UNTRACKED_SCOPE, withFrame, type TidyScope } from "./context.js";
import { engine, type DeviceStats } from "./engine.js";

export type { DeviceStats };

/** A device buffer plus its reference count. Several tensors may share one (reshape, variables). */
export class Storage {
  refs = 1;
  readonly bytes: number;
  /** The per-device counters this storage and its tensors are counted in. */
  readonly stats: DeviceStats;
  constructor(
    readonly backend: Backend<any>,
    readonly data: unknown,
    readonly dtype: DType,
    readonly size: number,
  ) {
    this.bytes = size * bytesPerElement(dtype);
    const s = (this.stats = stats(backend.name));
    s.bytes += this.bytes;
    s.buffers++;
    engine.liveBuffers++;
  }
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs > 0) return;
    if (this.refs < 0) throw new Error("internal: storage released twice");
    const s = this.stats;
    s.bytes -= this.bytes;
    s.buffers--;
    engine.liveBuffers--;
    this.backend.free(this.data);
  }
}

function stats(device: string): DeviceStats {
  let s = engine.deviceStats.get(device);
  if (!s) engine.deviceStats.set(device, (s = { tensors: 0, bytes: 0, buffers: 0 }));
  return s;
}

/** Frees storages of tensors that were garbage-collected without being disposed (stateless: it only calls back). */
export const finalizer = new FinalizationRegistry<{ storage: Storage; device: string }>((held) => {
  held.storage.stats.tensors--;
  held.storage.release();
});

/** Live memory: tensors and bytes per device; pooled bytes (held for reuse) apart. */
export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  devices: Record<string, { numTensors: number; numBytes: number; numBuffers: number; pooledBytes: number }>;
}

/** Live tensors and bytes, in total and per device. */
export function memory(): MemoryInfo {
  const out: MemoryInfo = { numTensors: 0, numBytes: 0, devices: {} };
  for (const [name, s] of engine.deviceStats) {
    const pooled = engine.backends.get(name)?.instance?.pooledBytes?.() ?? 0;
    out.devices[name] = { numTensors: s.tensors, numBytes: s.bytes, numBuffers: s.buffers, pooledBytes: pooled };
    out.numTensors += s.tensors;
    out.numBytes += s.bytes;
  }
  return out;
}

/** Something a tidy scope can dispose. */
export interface Disposable {
  dispose(): void;
  /** Called when the object outlives every tidy scope (registers the GC safety net). */
  _escape(): void;
  readonly isDisposed: boolean;
  readonly kept: boolean;
}

/** Record a new tensor in the innermost tidy scope; false when there is none (true, recording nothing, in the untracked scope). */
export function trackInScope(t: Disposable): boolean {
  const scope = currentFrame().tidy;
  if (!scope) return false;
  if (scope !== UNTRACKED_SCOPE) scope.tracked.add(t);
  return true;
}

type Keepable = Disposable | readonly Keepable[] | { readonly [k: string]: Keepable } | number | string | boolean | null | undefined | void;

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if ("dispose" in (value as object) && "isDisposed" in (value as object)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, depth + 1);
}

function endScope(scope: TidyScope, result: unknown): void {
  const keep = new Set<unknown>();
  collect(result, keep);
  for (const t of scope.tracked) {
    const d = t as Disposable;
    if (keep.has(d) || d.kept) {
      if (d.isDisposed) continue;
      // Out of a scope nested in a compiled program's run, a kept tensor is on its own: the finalizer takes it.
      if (scope.parent && scope.parent !== UNTRACKED_SCOPE) scope.parent.tracked.add(d);
      else d._escape();
    } else if (!d.isDisposed) d.dispose();
  }
  scope.tracked.clear();
}

/**
 * Run `fn` and dispose every tensor it created except those it returns (in arrays or plain
 * objects) and those marked with `keep()`. `fn` may be async: the scope lasts until it settles.
 * @example const y = tidy(() => x.square().sum());
 */
export function tidy<R extends Keepable | Promise<Keepable>>(fn: () => R): R {
  const scope: TidyScope = { tracked: new Set(), parent: currentFrame().tidy };
  let result: R;
  try {
    result = withFrame({ tidy: scope }, fn);
  } catch (e) {
    endScope(scope, undefined);
    throw e;
  }
  if (isPromise(result)) {
    return result.then(
      (v) => {
        endScope(scope, v);
        return v;
      },
      (e) => {
        endScope(scope, undefined);
        throw e;
      },
    ) as R;
  }
  endScope(scope, result);
  return result;
}
