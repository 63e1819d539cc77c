/**
 * Backend registry: registration with priorities, lazy and async initialization, device
 * aliases ("cpu", "gpu", "/gpu:0", ...) and the default device. A backend whose
 * initialization fails is marked unavailable with its reason; the others keep working.
 * The registrations live in the engine object (`engine.backends`).
 */
import { BackendCapabilityError, BackendUnavailableError, UnknownDeviceError } from "../errors.js";
import type { Backend, BackendFactory, RegisterOptions } from "../plugin.js";
import { checkAsyncCoverage } from "./coverage.js";
import { engine, type Registration } from "./engine.js";

/** Where a registered backend stands. */
export interface BackendStatus {
  readonly name: string;
  readonly kind: "cpu" | "gpu" | "other" | undefined;
  readonly priority: number;
  /** "ready": initialized; "pending": initializing; "registered": not started yet; "unavailable": its initialization failed. */
  readonly status: "ready" | "pending" | "registered" | "unavailable";
  /** Why it is unavailable. */
  readonly reason?: string;
}

/**
 * Register a backend under `name`. The highest priority backend becomes the default device.
 * @example registerBackend("mine", () => new MyBackend(), { priority: 5 })
 */
export function registerBackend(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
  if (!/^[a-z][a-z0-9_-]*$/i.test(name)) throw new UnknownDeviceError(`registerBackend: invalid backend name ${JSON.stringify(name)}`);
  const old = engine.backends.get(name);
  old?.instance?.dispose?.();
  engine.sortedNames = null;
  engine.backends.set(name, {
    name,
    factory,
    priority: options.priority ?? 0,
    kind: options.kind,
    defaultCandidate: options.defaultDevice ?? true,
    instance: null,
    pending: null,
    error: null,
  });
}

/** Remove a backend (its live tensors become unusable). */
export function removeBackend(name: string): void {
  const r = engine.backends.get(name);
  if (!r) return;
  r.instance?.dispose?.();
  engine.backends.delete(name);
  engine.sortedNames = null;
  if (engine.explicitDefault === name) engine.explicitDefault = null;
}

function sortedNames(): string[] {
  return (engine.sortedNames ??= [...engine.backends.values()].sort((a, b) => b.priority - a.priority).map((r) => r.name));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Names of registered backends, highest priority first; with `{ details: true }`, each one's status. */
export function listBackends(): string[];
export function listBackends(options: { readonly details: true }): BackendStatus[];
export function listBackends(options?: { readonly details?: boolean }): string[] | BackendStatus[] {
  const names = sortedNames();
  if (!options?.details) return [...names];
  return names.map((name): BackendStatus => {
    const r = engine.backends.get(name)!;
    const status: BackendStatus["status"] = r.instance ? "ready" : r.error ? "unavailable" : r.pending ? "pending" : "registered";
    return { name, kind: r.instance?.capabilities.kind ?? r.kind, priority: r.priority, status, ...(status === "unavailable" ? { reason: reasonOf(r.error) } : {}) };
  });
}

function checkName(backend: Backend<any>, name: string): Backend<any> {
  if (!backend || typeof backend.alloc !== "function" || !backend.kernels)
    throw new BackendCapabilityError(`backend factory for "${name}" did not return a backend (alloc and kernels are required)`);
  checkAsyncCoverage(backend, name);
  return backend;
}

/**
 * Initialize backends. With a name: that backend (retrying one that failed before); rejects
 * if it fails. Without: starts every registered backend and resolves once the default device
 * is ready. A backend that fails meanwhile is marked unavailable (see `listBackends({ details:
 * true })`) and the default moves on to the next candidate; it rejects only when no default
 * device can be initialized.
 */
export async function ready(name?: string): Promise<void> {
  if (name !== undefined) {
    const r = registration(resolveDevice(name));
    if (!r.instance && r.error) r.error = null;
    await initialize(r);
    return;
  }
  for (const r of engine.backends.values()) void initialize(r).catch(() => undefined);
  let failure: unknown = null;
  for (;;) {
    let r: Registration;
    try {
      r = registration(getDefaultDevice());
    } catch (e) {
      throw failure ?? e; // every candidate failed: report the last failure
    }
    try {
      await initialize(r);
      return;
    } catch (e) {
      if (engine.explicitDefault === r.name) throw e;
      failure = e;
    }
  }
}

async function initialize(r: Registration): Promise<Backend<any>> {
  if (r.instance) return r.instance;
  if (r.error) throw unavailable(r);
  r.pending ??= (async () => {
    try {
      const b = checkName(await r.factory(), r.name);
      await b.init?.();
      r.instance = b;
      return b;
    } catch (e) {
      r.error = e;
      r.pending = null;
      throw e;
    }
  })();
  return r.pending;
}

function unavailable(r: Registration): BackendUnavailableError {
  return new BackendUnavailableError(`backend "${r.name}" is unavailable: its initialization failed: ${reasonOf(r.error)}`);
}

function registration(name: string): Registration {
  const r = engine.backends.get(name);
  if (!r) throw new UnknownDeviceError(`no backend named "${name}" is registered (registered: ${listBackends().join(", ") || "none"})`);
  return r;
}

/** The initialized backend for a canonical name. Synchronous factories initialize here. */
export function getBackend(name: string): Backend<any> {
  const r = registration(name);
  if (r.instance) return r.instance;
  if (r.error) throw unavailable(r);
  if (!r.pending) {
    let b: ReturnType<BackendFactory>;
    try {
      b = r.factory();
      if (!(b instanceof Promise) && !b.init) {
        r.instance = checkName(b, name);
        return r.instance;
      }
    } catch (e) {
      r.error = e;
      throw unavailable(r);
    }
    void initialize(r).catch(() => undefined);
  }
  throw new BackendCapabilityError(`backend "${name}" is still initializing; call \`await ready("${name}")\` before running ops on it`);
}

/** A backend's kind: from its capabilities once created, else as registered (sync factories are created here). */
function kindOf(r: Registration): string | undefined {
  if (r.instance) return r.instance.capabilities.kind;
  if (r.kind) return r.kind;
  try {
    return getBackend(r.name).capabilities.kind;
  } catch {
    return undefined;
  }
}

/** Registered, not unavailable backends of a kind, highest priority first. */
function byKind(kind: "cpu" | "gpu"): Registration[] {
  const out: Registration[] = [];
  for (const name of sortedNames()) {
    const r = engine.backends.get(name)!;
    if (kindOf(r) === kind && !r.error) out.push(r);
  }
  return out;
}

/**
 * Canonical backend name for a device string: a registered name, or an alias:
 * "cpu" / "/cpu:0" (the "cpu" backend if registered, else the best CPU-kind backend),
 * "gpu" / "/gpu:0" (the best GPU backend).
 */
export function resolveDevice(device: string): string {
  if (typeof device !== "string") throw new UnknownDeviceError(`device must be a string, got ${String(device)}`);
  const backends = engine.backends;
  if (backends.has(device)) return device;
  const d = device.toLowerCase().replace(/^\/(job:[^/]*\/)?(device:)?/, "");
  const m = /^(cpu|gpu)(?::(\d+))?$/.exec(d);
  if (backends.has(d)) return d;
  if (m) {
    if (m[2] !== undefined && m[2] !== "0") throw new UnknownDeviceError(`device "${device}": only device index 0 exists`);
    if (m[1] === "cpu" && backends.has("cpu")) return "cpu";
    const found = byKind(m[1] as "cpu" | "gpu");
    if (found.length) return found[0]!.name;
    throw new UnknownDeviceError(
      `device "${device}": no ${m[1]!.toUpperCase()} backend is registered (registered: ${listBackends().join(", ")}). ` +
        (m[1] === "gpu" ? `Register one, e.g. import "@eager/backend-webgpu".` : ""),
    );
  }
  throw new UnknownDeviceError(`unknown device "${device}" (registered: ${listBackends().join(", ")}; aliases: cpu, gpu, /cpu:0, /gpu:0)`);
}

/** Make `device` the default for ops outside any `withDevice` scope. */
export function setDefaultDevice(device: string | null): void {
  engine.explicitDefault = device === null ? null : resolveDevice(device);
}

/** The device ops run on outside any scope: the one set, else the highest priority available backend that may be the default. */
export function getDefaultDevice(): string {
  const explicit = engine.explicitDefault;
  if (explicit && engine.backends.has(explicit)) return explicit;
  for (const name of sortedNames()) {
    const r = engine.backends.get(name)!;
    if (r.defaultCandidate && (r.instance || !r.error)) return name;
  }
  throw new UnknownDeviceError("no backend is registered");
}

/** The best available CPU-kind backend other than `exclude`, for fallbacks. */
export function bestCpuBackend(exclude: string): string | null {
  for (const r of byKind("cpu")) if (r.name !== exclude) return r.name;
  return null;
}
