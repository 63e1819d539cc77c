/**
 * The placement report and the fallback policy. Every op that runs is counted by the device
 * it ran on; every fallback and every byte moved between devices is recorded, so nothing
 * falls back silently.
 */
import { engine, PlacementLog, type FallbackPolicy, type FallbackRecord } from "./engine.js";

export type { FallbackPolicy, FallbackRecord };

/** Set the fallback policy (default "warn"). */
export function setFallbackPolicy(p: FallbackPolicy): void {
  if (p !== "auto" && p !== "warn" && p !== "error") throw new TypeError(`setFallbackPolicy: expected "auto", "warn" or "error", got ${JSON.stringify(p)}`);
  engine.placement.policy = p;
}
/** The fallback policy in force. */
export function getFallbackPolicy(): FallbackPolicy {
  return engine.placement.policy;
}

/**
 * One device in the report: a device that ran ops, or one whose initialization failed
 * (`available: false`, with the reason; ops placed on it throw that reason).
 */
export interface DeviceReport {
  readonly kind: string;
  readonly available: boolean;
  readonly reason?: string;
  readonly info: Readonly<Record<string, string | number | boolean>>;
}

/** Where ops ran since the last reset. */
export interface PlacementReport {
  /** Ops run per device, then per op name. */
  readonly ops: Record<string, Record<string, number>>;
  /**
   * What each device that ran ops is: its kind and the facts its backend reports (for
   * example the mode a WebGL backend really runs in, or a CPU backend's thread count); and
   * every device whose initialization failed, with `available: false` and the reason.
   */
  readonly devices: Record<string, DeviceReport>;
  readonly fallbacks: FallbackRecord[];
  /** Bytes copied between devices, keyed "from->to". */
  readonly moves: Record<string, { bytes: number; count: number }>;
  readonly bytesMoved: number;
  /** The last ops run, oldest first: `{ op, device }` (at most 256). */
  readonly recent: { op: string; device: string }[];
  /** Optional ops that ran as their decomposition (the device had no kernel for them), per device then op. */
  readonly decomposed: Record<string, Record<string, number>>;
}

const RECENT = 256;

/** Count one op run on `device`. */
export function noteOp(op: string, device: string): void {
  const log = engine.placement;
  let m = log.lastDevice === device ? log.lastDeviceOps : log.ops.get(device);
  if (!m) log.ops.set(device, (m = new Map()));
  log.lastDevice = device;
  log.lastDeviceOps = m;
  const count = m.get(op);
  if (count === undefined) m.set(op, { n: 1 });
  else count.n++;
  if (log.recentOp.length < RECENT) {
    log.recentOp.push(op);
    log.recentDevice.push(device);
  } else {
    log.recentOp[log.recentHead] = op;
    log.recentDevice[log.recentHead] = device;
    log.recentHead = (log.recentHead + 1) % RECENT;
  }
}

/** Count an optional op that ran on `device` as its decomposition. */
export function noteDecomposed(op: string, device: string): void {
  const decomposed = engine.placement.decomposed;
  let m = decomposed.get(device);
  if (!m) decomposed.set(device, (m = new Map()));
  m.set(op, (m.get(op) ?? 0) + 1);
}

/** Record a fallback (and warn once under the "warn" policy). */
export function noteFallback(op: string, from: string, to: string, reason: string): void {
  const log = engine.placement;
  const key = `${op}|${from}|${to}|${reason}`;
  const r = log.fallbacks.get(key);
  if (r) r.count++;
  else log.fallbacks.set(key, { op, from, to, reason, count: 1 });
  if (log.policy === "warn" && !log.warned.has(key)) {
    log.warned.add(key);
    console.warn(`eager: ${op} fell back from "${from}" to "${to}": ${reason} (setFallbackPolicy("error") to forbid, "auto" to silence)`);
  }
}

/** Count bytes copied from one device to another. */
export function noteBytesMoved(from: string, to: string, bytes: number): void {
  const moves = engine.placement.moves;
  const key = `${from}->${to}`;
  const m = moves.get(key) ?? { bytes: 0, count: 0 };
  m.bytes += bytes;
  m.count++;
  moves.set(key, m);
}

/** The message of a failed initialization. */
export function unavailableReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where every op ran, the fallbacks taken and the bytes moved since the last reset. */
export function placementReport(): PlacementReport {
  const log = engine.placement;
  const o: Record<string, Record<string, number>> = {};
  for (const [d, m] of log.ops) o[d] = Object.fromEntries([...m].map(([op, c]) => [op, c.n]));
  const mv = Object.fromEntries([...log.moves].map(([k, v]) => [k, { ...v }]));
  const devices: Record<string, DeviceReport> = {};
  for (const r of engine.backends.values()) {
    if (r.instance && r.name in o) devices[r.name] = { kind: r.instance.capabilities.kind, available: true, info: { ...r.instance.capabilities.info } };
    else if (!r.instance && r.error) devices[r.name] = { kind: r.kind ?? "other", available: false, reason: unavailableReason(r.error), info: {} };
  }
  const { recentOp, recentDevice, recentHead } = log;
  return {
    ops: o,
    devices,
    fallbacks: [...log.fallbacks.values()].map((f) => ({ ...f })),
    moves: mv,
    bytesMoved: Object.values(mv).reduce((a, m) => a + m.bytes, 0),
    recent: recentOp.map((_, i) => {
      const j = (recentHead + i) % recentOp.length;
      return { op: recentOp[j]!, device: recentDevice[j]! };
    }),
    decomposed: Object.fromEntries([...log.decomposed].map(([d, m]) => [d, Object.fromEntries(m)])),
  };
}

/** Clear the placement report (the fallback policy stays). */
export function resetPlacementReport(): void {
  const policy = engine.placement.policy;
  engine.placement = new PlacementLog();
  engine.placement.policy = policy;
}
