/**
 * The profiler: `profile(fn)` records every op (device, kernel path, shapes, wall time, bytes),
 * summarizes by op and device, prints a table by time and exports trace-event JSON; `time(fn)`
 * as in TF.js. Op times are times to completion on devices that read synchronously, enqueue
 * times elsewhere (the wait for the device is recorded apart, `deviceWaitMs`).
 */
import { engine } from "../engine/engine.js";
import { Tensor } from "../tensor.js";
import { addWatcher } from "./observer.js";
import { valuesLater } from "./values.js";

/** One op in a profile. */
export interface ProfiledOp {
  readonly index: number;
  readonly op: string;
  readonly device: string;
  /** How the kernel ran: "WebAssembly", "JS reference", "WGSL", "GLSL", "decomposition", "fallback (...)". */
  readonly path: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly dtypes: readonly string[];
  /** Milliseconds since the profile started. */
  readonly startMs: number;
  readonly wallMs: number;
  /** "completion" where the time includes the kernel finishing, "enqueue" on asynchronous devices. */
  readonly timing: "completion" | "enqueue";
  /** Bytes of the outputs it allocated. */
  readonly bytes: number;
  /** 0 for an op the user called; deeper for the steps of a decomposition. */
  readonly depth: number;
}

/** Totals for one op name or one device (user-level ops only, so nothing counts twice). */
export interface ProfileSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly bytes: number;
}

/** What `profile` returns. */
export interface Profile<R = unknown> {
  readonly result: R;
  readonly ops: readonly ProfiledOp[];
  readonly byOp: Readonly<Record<string, ProfileSummary>>;
  readonly byDevice: Readonly<Record<string, ProfileSummary>>;
  /** Wall time of the whole run, waiting for the devices to finish. */
  readonly wallMs: number;
  /** Time spent waiting after `fn` returned for asynchronous devices to finish their work. */
  readonly deviceWaitMs: number;
  /** Bytes allocated by ops during the run, and the largest number of live bytes seen. */
  readonly newBytes: number;
  readonly peakBytes: number;
  /** A table of ops grouped by name, longest total first. */
  table(limit?: number): string;
  /** Trace-event JSON (object form) for chrome://tracing and Perfetto. */
  toChromeTrace(): string;
}

function liveBytes(): number {
  let n = 0;
  for (const s of engine.deviceStats.values()) n += s.bytes;
  return n;
}

function summarize(ops: readonly ProfiledOp[], key: (o: ProfiledOp) => string): Record<string, ProfileSummary> {
  const out: Record<string, { count: number; totalMs: number; bytes: number }> = {};
  for (const o of ops) {
    if (o.depth > 0) continue;
    const s = (out[key(o)] ??= { count: 0, totalMs: 0, bytes: 0 });
    s.count++;
    s.totalMs += o.wallMs;
    s.bytes += o.bytes;
  }
  return out;
}

function table(ops: readonly ProfiledOp[], limit: number): string {
  const groups = new Map<string, { op: string; device: string; path: string; count: number; ms: number; bytes: number; shapes: string }>();
  for (const o of ops) {
    if (o.depth > 0) continue;
    const k = `${o.op}|${o.device}|${o.path}`;
    const g = groups.get(k) ?? { op: o.op, device: o.device, path: o.path, count: 0, ms: 0, bytes: 0, shapes: o.inputShapes.map((s) => `[${s.join(",")}]`).join(" ") };
    g.count++;
    g.ms += o.wallMs;
    g.bytes += o.bytes;
    groups.set(k, g);
  }
  const rows = [...groups.values()].sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0) || 1;
  const head = ["op", "device", "kernel", "calls", "total ms", "%", "mean ms", "bytes", "first input shapes"];
  const body = rows.slice(0, limit).map((r) => [r.op, r.device, r.path, String(r.count), r.ms.toFixed(3), ((100 * r.ms) / total).toFixed(1), (r.ms / r.count).toFixed(4), String(r.bytes), r.shapes]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 3 && i <= 7 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
  const more = rows.length > limit ? `\n(${rows.length - limit} more rows)` : "";
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n") + more;
}

function chromeTrace(ops: readonly ProfiledOp[]): string {
  const devices = [...new Set(ops.map((o) => o.device))];
  const events: object[] = [{ name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "eager" } }];
  devices.forEach((d, i) => events.push({ name: "thread_name", ph: "M", pid: 1, tid: i + 1, args: { name: d } }));
  for (const o of ops)
    events.push({
      name: o.op, cat: o.path, ph: "X", pid: 1, tid: devices.indexOf(o.device) + 1,
      ts: Math.round(o.startMs * 1000), dur: Math.max(1, Math.round(o.wallMs * 1000)),
      args: { index: o.index, device: o.device, kernel: o.path, inputs: o.inputShapes.map((s) => `[${s}]`).join(" "), outputs: o.outputShapes.map((s) => `[${s}]`).join(" "), dtypes: o.dtypes.join(","), bytes: o.bytes, timing: o.timing },
    });
  return JSON.stringify({ traceEvents: events, displayTimeUnit: "ms" });
}

function collectTensors(v: unknown, out: Tensor[], depth = 0): void {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v) && depth < 8) for (const x of v) collectTensors(x, out, depth + 1);
  else if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && depth < 8) for (const x of Object.values(v)) collectTensors(x, out, depth + 1);
}

/**
 * Run `fn` and record every op it runs. Awaits `fn` if it is async, then waits for the devices
 * to finish the work (reading one value of each returned tensor).
 * @example const p = await tf.profile(() => model.apply(x)); console.log(p.table()); writeFileSync("trace.json", p.toChromeTrace());
 */
export async function profile<R>(fn: () => R | Promise<R>): Promise<Profile<R>> {
  const ops: ProfiledOp[] = [];
  const lastTouched = new Map<string, Tensor>();
  const bytesBefore = liveBytes();
  let newBytes = 0;
  let peak = bytesBefore;
  const t0 = performance.now();
  const stop = addWatcher({
    after(op) {
      let bytes = 0;
      for (const t of op.outputs) bytes += t._storage && !op.inputs.some((i) => i._storage === t._storage) ? t._storage.bytes : 0;
      if (op.depth === 0) newBytes += bytes;
      const live = liveBytes();
      if (live > peak) peak = live;
      const sync = op.outputs.every((t) => !t._storage || t._storage.backend.capabilities.syncRead);
      if (!sync && op.outputs[0]) lastTouched.set(op.device, op.outputs[0]);
      ops.push({
        index: ops.length, op: op.name, device: op.device, path: op.path,
        inputShapes: op.inputs.map((t) => t.shape), outputShapes: op.outputs.map((t) => t.shape), dtypes: op.outputs.map((t) => t.dtype),
        startMs: op.start - t0, wallMs: op.end - op.start, timing: sync ? "completion" : "enqueue", bytes, depth: op.depth,
      });
    },
  });
  let result: R;
  let returned = 0;
  try {
    result = await fn();
    returned = performance.now();
    // Wait for asynchronous devices: one read per device of the last output it produced that is still alive, else of the result.
    const waits: Promise<unknown>[] = [];
    for (const [device, t] of lastTouched) {
      const backend = engine.backends.get(device)?.instance;
      if (backend?.sync) waits.push(backend.sync());
      else if (!t.isDisposed && !t._isReleased) waits.push(valuesLater(t));
    }
    const outs: Tensor[] = [];
    collectTensors(result, outs);
    for (const t of outs) if (!t.isDisposed && t._storage && !t._storage.backend.capabilities.syncRead) waits.push(valuesLater(t));
    await Promise.all(waits);
  } finally {
    stop();
  }
  const end = performance.now();
  // Ops are recorded parent-after-children; order them by start for reading.
  ops.sort((a, b) => a.startMs - b.startMs || a.depth - b.depth);
  const ordered = ops.map((o, i) => ({ ...o, index: i }));
  return {
    result,
    ops: ordered,
    byOp: summarize(ordered, (o) => o.op),
    byDevice: summarize(ordered, (o) => o.device),
    wallMs: end - t0,
    deviceWaitMs: end - returned,
    newBytes,
    peakBytes: peak,
    table: (limit = 30) => {
      const enqueued = [...new Set(ordered.filter((o) => o.timing === "enqueue").map((o) => o.device))];
      const note = enqueued.length ? `\ntimes on ${enqueued.join(", ")} are enqueue times (no GPU timestamp queries); the run then waited ${(end - returned).toFixed(2)} ms for the device` : "";
      return table(ordered, limit) + note;
    },
    toChromeTrace: () => chromeTrace(ordered),
  };
}

/** TF.js's `time`: kernel time (sum of the ops' times) and wall time of `fn`, devices waited for. */
export interface TimingInfo {
  readonly kernelMs: number;
  readonly wallMs: number;
  /** Ops run, by device. */
  readonly ops: Readonly<Record<string, number>>;
}

/**
 * Time `fn`: the sum of its ops' times and the wall time until the devices are done.
 * @example const { kernelMs, wallMs } = await tf.time(() => tf.matmul(a, b));
 */
export async function time(fn: () => unknown): Promise<TimingInfo> {
  const p = await profile(fn);
  return {
    kernelMs: Object.values(p.byOp).reduce((s, o) => s + o.totalMs, 0),
    wallMs: p.wallMs,
    ops: Object.fromEntries(Object.entries(p.byDevice).map(([d, s]) => [d, s.count])),
  };
}
