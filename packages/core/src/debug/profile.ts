/**
 * The profiler: `profile(fn)` records every op (device, kernel path, shapes, wall time, bytes),
 * summarizes by op and device, prints a table by time and exports trace-event JSON; `time(fn)`
 * as in TF.js. Each op's time says where it came from (`timeSource`): the host clock around a
 * kernel that finished before returning, the device's report that the op's work completed, or
 * GPU timestamps; an asynchronous device that cannot report either gives enqueue times.
 */
import { engine } from "../engine/engine.js";
import type { Backend, OpCompletion, OpTimer } from "../plugin.js";
import { Tensor } from "../tensor.js";
import { addWatcher, type WatchedOp } from "./observer.js";
import { valuesLater } from "./values.js";

/**
 * Where an op's time comes from:
 * - "host": the host clock around the kernel, which had finished when it returned (CPU,
 *   WebAssembly, the reference backend, gpu.js without WebGL);
 * - "completion": from when the device could start the op's work (its submission, or the previous
 *   op's completion if later) to when the device reported it done (WebGPU without timestamps, WebGL);
 * - "gpu-timestamp": the GPU's own clock around the op's compute passes (WebGPU with "timestamp-query");
 * - "enqueue": the host clock only, on an asynchronous device that cannot time ops (its work
 *   runs later; the profile's `deviceWaitMs` holds the wait for it).
 */
export type TimeSource = "host" | "completion" | "gpu-timestamp" | "enqueue";

/** One op in a profile. */
export interface ProfiledOp {
  readonly index: number;
  readonly op: string;
  readonly device: string;
  /** How the kernel ran: "WebAssembly", "JS reference", "WGSL", "GLSL", "decomposition", "fallback (...)", or "fused program" for a compiled program's fused kernel (its op is named after the ops it fuses, e.g. `epilogue[matmul>add>relu]`). */
  readonly path: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly dtypes: readonly string[];
  /** Milliseconds since the profile started (on a timed device: when the device could start the op's work). */
  readonly startMs: number;
  /** The op's time in milliseconds, measured as `timeSource` says. An op run as a decomposition: its steps' sum. */
  readonly wallMs: number;
  /** Where `wallMs` comes from. */
  readonly timeSource: TimeSource;
  /** Milliseconds the call took on the host (validation, allocation, the kernel or its encoding). */
  readonly hostMs: number;
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
  const groups = new Map<string, { op: string; device: string; path: string; sources: Set<TimeSource>; count: number; ms: number; bytes: number; shapes: string }>();
  for (const o of ops) {
    if (o.depth > 0) continue;
    const k = `${o.op}|${o.device}|${o.path}`;
    const g = groups.get(k) ?? { op: o.op, device: o.device, path: o.path, sources: new Set(), count: 0, ms: 0, bytes: 0, shapes: o.inputShapes.map((s) => `[${s.join(",")}]`).join(" ") };
    g.count++;
    g.ms += o.wallMs;
    g.bytes += o.bytes;
    g.sources.add(o.timeSource);
    groups.set(k, g);
  }
  const rows = [...groups.values()].sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0) || 1;
  const head = ["op", "device", "kernel", "time", "calls", "total ms", "%", "mean ms", "bytes", "first input shapes"];
  const body = rows.slice(0, limit).map((r) => [r.op, r.device, r.path, [...r.sources].sort().join("+"), String(r.count), r.ms.toFixed(3), ((100 * r.ms) / total).toFixed(1), (r.ms / r.count).toFixed(4), String(r.bytes), r.shapes]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 4 && i <= 8 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
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
      args: { index: o.index, device: o.device, kernel: o.path, inputs: o.inputShapes.map((s) => `[${s}]`).join(" "), outputs: o.outputShapes.map((s) => `[${s}]`).join(" "), dtypes: o.dtypes.join(","), bytes: o.bytes, timeSource: o.timeSource, hostMs: o.hostMs },
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
  const records: Rec[] = [];
  const stepsOf = new Map<WatchedOp, Rec[]>();
  const lastTouched = new Map<string, Tensor>();
  const bytesBefore = liveBytes();
  let newBytes = 0;
  let peak = bytesBefore;
  const t0 = performance.now();
  const timers = openTimers();
  const stop = addWatcher({
    after(op) {
      let bytes = 0;
      for (const t of op.outputs) bytes += t._storage && !op.inputs.some((i) => i._storage === t._storage) ? t._storage.bytes : 0;
      if (op.depth === 0) newBytes += bytes;
      const live = liveBytes();
      if (live > peak) peak = live;
      const backend = (op.outputs[0]?._storage ?? op.inputs[0]?._storage)?.backend;
      const timed = backend ? timers.get(backend) : undefined;
      const sync = op.outputs.every((t) => !t._storage || t._storage.backend.capabilities.syncRead);
      if (!sync && !timed && op.outputs[0]) lastTouched.set(op.device, op.outputs[0]);
      const rec: Rec = {
        index: 0, op: op.name, device: op.device, path: op.path,
        inputShapes: op.inputs.map((t) => t.shape), outputShapes: op.outputs.map((t) => t.shape), dtypes: op.outputs.map((t) => t.dtype),
        startMs: op.start - t0, wallMs: op.end - op.start, hostMs: op.end - op.start, timeSource: timed ? (op.nested === 0 ? "completion" : "enqueue") : sync ? "host" : "enqueue", bytes, depth: op.depth,
        steps: stepsOf.get(op) ?? [],
      };
      records.push(rec);
      stepsOf.delete(op);
      // A parent's record is made after its steps': they wait for it here.
      if (op.parent) {
        const steps = stepsOf.get(op.parent);
        if (steps) steps.push(rec);
        else stepsOf.set(op.parent, [rec]);
      }
      // A decomposition's work is its steps'; each step (and each plain op) is timed once.
      if (timed && op.nested === 0) timed.calls.push({ rec, opStart: op.start, done: settle(timed.timer.opDone()) });
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
    for (const d of timers.values()) for (const c of d.calls) waits.push(c.done);
    await Promise.all(waits);
  } finally {
    stop();
    for (const d of timers.values()) d.timer.close();
  }
  const end = performance.now();
  for (const d of timers.values()) if (d.calls.length > 0) await applyCompletions(d, t0);
  // Records are made steps-first, so each decomposition sums steps whose times are final.
  for (const r of records) if (r.steps.length > 0 && r.steps.some((c) => c.timeSource === "completion" || c.timeSource === "gpu-timestamp")) {
    r.wallMs = r.steps.reduce((sum, c) => sum + c.wallMs, 0);
    r.startMs = Math.min(...r.steps.map((c) => c.startMs));
    r.timeSource = r.steps.every((c) => c.timeSource === "gpu-timestamp") ? "gpu-timestamp" : "completion";
  }
  // Order by start for reading (on a timed device, by when the device could start the op).
  const ordered: ProfiledOp[] = records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.startMs - b.r.startMs || a.r.depth - b.r.depth || a.i - b.i)
    .map(({ r }, index) => {
      const { steps: _, ...op } = r;
      return { ...op, index };
    });
  return {
    result: result!,
    ops: ordered,
    byOp: summarize(ordered, (o) => o.op),
    byDevice: summarize(ordered, (o) => o.device),
    wallMs: end - t0,
    deviceWaitMs: end - returned,
    newBytes,
    peakBytes: peak,
    table: (limit = 30) => table(ordered, limit) + tableNotes(ordered, end - returned),
    toChromeTrace: () => chromeTrace(ordered),
  };
}

/** A record while the profile runs: mutable, with its decomposition steps. */
type Rec = { -readonly [K in keyof ProfiledOp]: ProfiledOp[K] } & { steps: Rec[] };

/** One op timed on an asynchronous device: its record, the host time its call began, and its completion. */
interface TimedCall {
  readonly rec: Rec;
  readonly opStart: number;
  readonly done: Promise<OpCompletion | null>;
}

/** An asynchronous device's op timer for this profile, the completion of the work queued before it, and its ops. */
interface DeviceTimer {
  readonly timer: OpTimer;
  readonly baseline: Promise<OpCompletion | null>;
  readonly calls: TimedCall[];
}

function settle(p: Promise<OpCompletion>): Promise<OpCompletion | null> {
  return p.then((c) => c, () => null);
}

/** Open an op timer on every initialized backend that offers one (asynchronous devices). */
function openTimers(): Map<Backend<any>, DeviceTimer> {
  const timers = new Map<Backend<any>, DeviceTimer>();
  for (const r of engine.backends.values()) {
    let timer: OpTimer | null = null;
    try {
      timer = r.instance?.openProfile?.() ?? null;
    } catch {
      // A device that cannot time ops now (lost, say): its ops keep their host times.
    }
    if (timer) timers.set(r.instance!, { timer, baseline: settle(timer.opDone()), calls: [] });
  }
  return timers;
}

/**
 * Turn one device's completions into op times: an op's work could start when it was submitted
 * (or when its call began, where the backend does not say) but not before the previous op's
 * work was done; its time runs from then to its own completion, or is the GPU's timestamp
 * measure where there is one. An op whose completion never came keeps its enqueue time.
 */
async function applyCompletions(d: DeviceTimer, t0: number): Promise<void> {
  let prevDone = (await d.baseline)?.doneMs ?? -Infinity;
  // Where the previous op's span ends on this device's timeline (spans never overlap in the trace).
  let prevEnd = prevDone;
  for (const { rec, opStart, done } of d.calls) {
    const c = await done;
    if (c === null) {
      rec.timeSource = "enqueue";
      continue;
    }
    const submitted = c.submittedMs ?? opStart;
    if (c.deviceMs !== undefined) {
      // GPU clocks are not the host's: the span is placed after the previous one, its length the GPU's.
      const begin = Math.max(prevEnd, submitted);
      rec.startMs = begin - t0;
      rec.wallMs = c.deviceMs;
      rec.timeSource = "gpu-timestamp";
      prevEnd = begin + c.deviceMs;
    } else {
      const begin = Math.max(prevDone, prevEnd, submitted);
      rec.startMs = begin - t0;
      rec.wallMs = Math.max(0, c.doneMs - begin);
      rec.timeSource = "completion";
      prevEnd = begin + rec.wallMs;
    }
    prevDone = Math.max(prevDone, c.doneMs);
  }
}

/** Lines under the table: how each asynchronous device's times were taken. */
function tableNotes(ops: readonly ProfiledOp[], waitMs: number): string {
  const devicesWith = (s: TimeSource) => [...new Set(ops.filter((o) => o.timeSource === s).map((o) => o.device))];
  const timed = [...new Set([...devicesWith("completion"), ...devicesWith("gpu-timestamp")])];
  const enqueued = devicesWith("enqueue");
  let note = "";
  if (timed.length) note += `\nops on ${timed.join(", ")} ran one at a time, each timed to its completion (a normal run batches them)`;
  if (enqueued.length) note += `\ntimes on ${enqueued.join(", ")} are enqueue times (the device cannot time ops); the run then waited ${waitMs.toFixed(2)} ms for the device`;
  return note;
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
