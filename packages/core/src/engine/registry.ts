/**
 * Backend registry: registration with priorities, lazy and async initialization, device
 * aliases ("cpu", "gpu", "/gpu:0", ...) and the default device.
 */
import { BackendCapabilityError, UnknownDeviceError } from "../errors.js";
import type { Backend, BackendFactory, RegisterOptions } from "../plugin.js";

interface Registration {
  readonly name: string;
  readonly factory: BackendFactory;
  readonly priority: number;
  readonly kind: "cpu" | "gpu" | "other" | undefined;
  readonly defaultCandidate: boolean;
  instance: Backend<any> | null;
  pending: Promise<Backend<any>> | null;
  error: unknown;
}

const registry = new Map<string, Registration>();
let explicitDefault: string | null = null;
/** Names by priority, rebuilt when the registry changes (dispatch reads it per op). */
let sortedNames: string[] | null = null;

/**
 * Register a backend under `name`. The highest priority backend becomes the default device.
 * @example registerBackend("mine", () => new MyBackend(), { priority: 5 })
 */
export function registerBackend(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
  if (!/^[a-z][a-z0-9_-]*$/i.test(name)) throw new UnknownDeviceError(`registerBackend: invalid backend name ${JSON.stringify(name)}`);
  const old = registry.get(name);
  old?.instance?.dispose?.();
  sortedNames = null;
  registry.set(name, { name, factory, priority: options.priority ?? 0, kind: options.kind, defaultCandidate: options.defaultDevice ?? true, instance: null, pending: null, error: null });
}

/** Remove a backend (its live tensors become unusable). */
export function removeBackend(name: string): void {
  const r = registry.get(name);
  if (!r) return;
  r.instance?.dispose?.();
  registry.delete(name);
  sortedNames = null;
  if (explicitDefault === name) explicitDefault = null;
}

/** Names of registered backends, highest priority first. */
export function listBackends(): string[] {
  sortedNames ??= [...registry.values()].sort((a, b) => b.priority - a.priority).map((r) => r.name);
  return [...sortedNames];
}

function checkName(backend: Backend<any>, name: string): Backend<any> {
  if (!backend || typeof backend.alloc !== "function" || !backend.kernels)
    throw new BackendCapabilityError(`backend factory for "${name}" did not return a backend (alloc and kernels are required)`);
  return backend;
}

/** Initialize one backend, or every registered backend. Resolves when they can run ops. */
export async function ready(name?: string): Promise<void> {
  const regs = name ? [registration(resolveDevice(name))] : [...registry.values()];
  await Promise.all(regs.map((r) => initialize(r)));
}

async function initialize(r: Registration): Promise<Backend<any>> {
  if (r.instance) return r.instance;
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

function registration(name: string): Registration {
  const r = registry.get(name);
  if (!r) throw new UnknownDeviceError(`no backend named "${name}" is registered (registered: ${listBackends().join(", ") || "none"})`);
  return r;
}

/** The initialized backend for a canonical name. Synchronous factories initialize here. */
export function getBackend(name: string): Backend<any> {
  const r = registration(name);
  if (r.instance) return r.instance;
  if (!r.pending) {
    const b = r.factory();
    if (!(b instanceof Promise) && !b.init) {
      r.instance = checkName(b, name);
      return r.instance;
    }
    r.pending = null;
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

/** Registered backends of a kind, highest priority first. */
function byKind(kind: "cpu" | "gpu"): Registration[] {
  const out: Registration[] = [];
  for (const name of listBackends()) {
    const r = registry.get(name)!;
    if (kindOf(r) === kind) out.push(r);
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
  if (registry.has(device)) return device;
  const d = device.toLowerCase().replace(/^\/(job:[^/]*\/)?(device:)?/, "");
  const m = /^(cpu|gpu)(?::(\d+))?$/.exec(d);
  if (registry.has(d)) return d;
  if (m) {
    if (m[2] !== undefined && m[2] !== "0") throw new UnknownDeviceError(`device "${device}": only device index 0 exists`);
    if (m[1] === "cpu" && registry.has("cpu")) return "cpu";
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
  explicitDefault = device === null ? null : resolveDevice(device);
}

/** The device ops run on outside any scope: the one set, else the highest priority backend that may be the default. */
export function getDefaultDevice(): string {
  if (explicitDefault && registry.has(explicitDefault)) return explicitDefault;
  sortedNames ??= listBackends();
  for (const name of sortedNames) {
    const r = registry.get(name)!;
    if (r.defaultCandidate && (r.instance || !r.error)) return name;
  }
  throw new UnknownDeviceError("no backend is registered");
}

/** The best CPU-kind backend other than `exclude`, for fallbacks. */
export function bestCpuBackend(exclude: string): string | null {
  for (const r of byKind("cpu")) if (r.name !== exclude) return r.name;
  return null;
}
