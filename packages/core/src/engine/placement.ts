/**
 * The placement report and the fallback policy. Every op that runs is counted by the device
 * it ran on; every fallback and every byte moved between devices is recorded, so nothing
 * falls back silently.
 */
import { getBackend, listBackends } from "./registry.js";

/** What happens when a backend lacks a kernel or dtype: move on quietly (but reported), warn once, or throw. */
export type FallbackPolicy = "auto" | "warn" | "error";

let policy: FallbackPolicy = "warn";

/** Set the fallback policy (default "warn"). */
export function setFallbackPolicy(p: FallbackPolicy): void {
  if (p !== "auto" && p !== "warn" && p !== "error") throw new TypeError(`setFallbackPolicy: expected "auto", "warn" or "error", got ${JSON.stringify(p)}`);
  policy = p;
}
export function getFallbackPolicy(): FallbackPolicy {
  return policy;
}

/** One fallback: an op meant for `from` ran on `to`, and why. */
export interface FallbackRecord {
  readonly op: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  count: number;
}

/** Where ops ran since the last reset. */
export interface PlacementReport {
  /** Ops run per device, then per op name. */
  readonly ops: Record<string, Record<string, number>>;
  /**
   * What each device that ran ops is: its kind and the facts its backend reports (for
   * example the mode a WebGL backend really runs in, or a CPU backend's thread count).
   */
  readonly devices: Record<string, { kind: string; info: Readonly<Record<string, string | number | boolean>> }>;
  readonly fallbacks: FallbackRecord[];
  /** Bytes copied between devices, keyed "from->to". */
  readonly moves: Record<string, { bytes: number; count: number }>;
  readonly bytesMoved: number;
  /** The last ops run, oldest first: `{ op, device }` (at most 256). */
  readonly recent: { op: string; device: string }[];
}

const RECENT = 256;
let ops = new Map<string, Map<string, number>>();
let fallbacks = new Map<string, FallbackRecord>();
let moves = new Map<string, { bytes: number; count: number }>();
let recentOp: string[] = [];
let recentDevice: string[] = [];
let recentHead = 0;
const warned = new Set<string>();

export function noteOp(op: string, device: string): void {
  let m = ops.get(device);
  if (!m) ops.set(device, (m = new Map()));
  m.set(op, (m.get(op) ?? 0) + 1);
  if (recentOp.length < RECENT) {
    recentOp.push(op);
    recentDevice.push(device);
  } else {
    recentOp[recentHead] = op;
    recentDevice[recentHead] = device;
    recentHead = (recentHead + 1) % RECENT;
  }
}

export function noteFallback(op: string, from: string, to: string, reason: string): void {
  const key = `${op}|${from}|${to}|${reason}`;
  const r = fallbacks.get(key);
  if (r) r.count++;
  else fallbacks.set(key, { op, from, to, reason, count: 1 });
  if (policy === "warn" && !warned.has(key)) {
    warned.add(key);
    console.warn(`eager: ${op} fell back from "${from}" to "${to}": ${reason} (setFallbackPolicy("error") to forbid, "auto" to silence)`);
  }
}

export function noteBytesMoved(from: string, to: string, bytes: number): void {
  const key = `${from}->${to}`;
  const m = moves.get(key) ?? { bytes: 0, count: 0 };
  m.bytes += bytes;
  m.count++;
  moves.set(key, m);
}

/** Where every op ran, the fallbacks taken and the bytes moved since the last reset. */
export function placementReport(): PlacementReport {
  const o: Record<string, Record<string, number>> = {};
  for (const [d, m] of ops) o[d] = Object.fromEntries(m);
  const mv = Object.fromEntries([...moves].map(([k, v]) => [k, { ...v }]));
  return {
    ops: o,
    devices: Object.fromEntries(
      Object.keys(o).filter((d) => listBackends().includes(d)).map((d) => {
        const caps = getBackend(d).capabilities;
        return [d, { kind: caps.kind, info: { ...caps.info } }];
      }),
    ),
    fallbacks: [...fallbacks.values()].map((f) => ({ ...f })),
    moves: mv,
    bytesMoved: Object.values(mv).reduce((a, m) => a + m.bytes, 0),
    recent: recentOp.map((_, i) => {
      const j = (recentHead + i) % recentOp.length;
      return { op: recentOp[j]!, device: recentDevice[j]! };
    }),
  };
}

/** Clear the placement report. */
export function resetPlacementReport(): void {
  ops = new Map();
  fallbacks = new Map();
  moves = new Map();
  recentOp = [];
  recentDevice = [];
  recentHead = 0;
}
