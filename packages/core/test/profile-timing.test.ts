/**
 * How the profiler turns an asynchronous device's per-op completions into op times, on a test
 * device: the reference kernels plus an op timer that models a device running one op at a time
 * with a scripted cost per op (matmul 40 ms, anything else 1 ms), reported either as completion
 * times or as GPU timestamps.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, decomposeAlways, getBackend, registerBackend, type Backend, type OpCompletion, type OpTimer } from "@eager/core/backend";

const COST: Record<string, number> = { matmul: 40 };

/** A device that finishes each op `COST[op] ?? 1` ms after the later of its submission and the previous op's completion. */
function scriptedDevice(name: string, timestamps: boolean): Backend {
  const b = createReferenceBackend(name);
  let queued = 0;
  let lastDone = -Infinity;
  let opened = 0;
  let closed = 0;
  const kernels = Object.fromEntries(
    Object.entries(b.kernels).map(([op, k]) => [op, (...args: unknown[]) => {
      queued += COST[op] ?? 1;
      (k as (...a: unknown[]) => void)(...args);
    }]),
  );
  const timer: OpTimer = {
    opDone(): Promise<OpCompletion> {
      const submittedMs = performance.now();
      const cost = queued;
      queued = 0;
      lastDone = Math.max(lastDone, submittedMs) + cost;
      return Promise.resolve(timestamps ? { submittedMs, doneMs: lastDone, deviceMs: cost } : { submittedMs, doneMs: lastDone });
    },
    close: () => void closed++,
  };
  return {
    ...b,
    kernels,
    capabilities: { ...b.capabilities, kind: "gpu", syncRead: false, kernelPath: "scripted" },
    openProfile: () => (opened++, timer),
    get stats() {
      return { opened, closed };
    },
  } as Backend;
}

registerBackend("scripted", () => scriptedDevice("scripted", false), { priority: -5, defaultDevice: false });
registerBackend("scripted-ts", () => scriptedDevice("scripted-ts", true), { priority: -5, defaultDevice: false });
/** An asynchronous device that cannot time ops. */
registerBackend("untimed", () => ({ ...createReferenceBackend("untimed"), capabilities: { kind: "gpu", dtypes: ["float32"], syncRead: false, kernelPath: "untimed" } }), { priority: -5, defaultDevice: false });

async function chain(device: string) {
  await tf.ready(device);
  const a = tf.withDevice(device, () => tf.ones([8, 8]));
  const p = await tf.profile(() => tf.withDevice(device, () => tf.tidy(() => tf.add(tf.matmul(tf.add(a, 1), a), 2))));
  return { a, p };
}

describe("profile on an asynchronous device", () => {
  it("attributes each op the device time between the previous op's completion and its own (completion source)", async () => {
    const { a, p } = await chain("scripted");
    expect(p.ops.map((o) => o.op)).toEqual(["add", "matmul", "add"]);
    for (const o of p.ops) expect(o.timeSource).toBe("completion");
    // Ops queue behind each other on the device: each gets its own cost, whatever the host did meanwhile.
    expect(p.ops.map((o) => o.wallMs)).toEqual([expect.closeTo(1, 6), expect.closeTo(40, 6), expect.closeTo(1, 6)]);
    for (let i = 1; i < p.ops.length; i++) expect(p.ops[i]!.startMs).toBeCloseTo(p.ops[i - 1]!.startMs + p.ops[i - 1]!.wallMs, 6);
    expect(p.byOp["matmul"]!.totalMs).toBeCloseTo(40, 6);
    const rows = p.table().split("\n");
    expect(rows[0]).toMatch(/^op\s+device\s+kernel\s+time\s+calls\s+total ms/);
    expect(rows[2]).toMatch(/^matmul\s+scripted\s+scripted\s+completion\s+1\s+40\.000\s+95\.2/);
    expect(p.table()).toMatch(/ops on scripted ran one at a time/);
    const spans = (JSON.parse(p.toChromeTrace()) as { traceEvents: { ph: string; name: string; dur: number; args: { timeSource: string } }[] }).traceEvents.filter((e) => e.ph === "X");
    expect(spans.map((e) => [e.name, e.dur, e.args.timeSource])).toEqual([["add", 1000, "completion"], ["matmul", 40000, "completion"], ["add", 1000, "completion"]]);
    const stats = (getBackend("scripted") as unknown as { stats: { opened: number; closed: number } }).stats;
    expect(stats).toEqual({ opened: 1, closed: 1 });
    (p.result as tf.Tensor).dispose();
    a.dispose();
  });

  it("uses the device's own measure where it gives one (gpu-timestamp source)", async () => {
    const { a, p } = await chain("scripted-ts");
    expect(p.ops.map((o) => [o.op, o.timeSource, o.wallMs])).toEqual([["add", "gpu-timestamp", 1], ["matmul", "gpu-timestamp", 40], ["add", "gpu-timestamp", 1]]);
    expect(p.table().split("\n")[2]).toMatch(/^matmul\s+scripted-ts\s+scripted\s+gpu-timestamp\s+1\s+40\.000/);
    (p.result as tf.Tensor).dispose();
    a.dispose();
  });

  it("times a decomposition as the sum of its steps, each timed on the device", async () => {
    await tf.ready("scripted");
    const a = tf.withDevice("scripted", () => tf.ones([8, 8]));
    const p = await tf.profile(() => decomposeAlways("square", () => tf.withDevice("scripted", () => tf.tidy(() => tf.matmul(tf.square(a), a)))));
    expect(p.ops.map((o) => [o.op, o.path, o.depth, o.timeSource])).toEqual([["square", "decomposition", 0, "completion"], ["mul", "scripted", 1, "completion"], ["matmul", "scripted", 0, "completion"]]);
    expect(p.ops.map((o) => o.wallMs)).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6), expect.closeTo(40, 6)]);
    expect(p.byDevice["scripted"]).toEqual({ count: 2, totalMs: expect.closeTo(41, 6), bytes: 512 });
    (p.result as tf.Tensor).dispose();
    a.dispose();
  });

  it("says an asynchronous device without a timer gives enqueue times", async () => {
    await tf.ready("untimed");
    const a = tf.withDevice("untimed", () => tf.ones([4]));
    const p = await tf.profile(() => tf.withDevice("untimed", () => tf.tidy(() => tf.exp(a))));
    expect(p.ops.map((o) => [o.op, o.timeSource])).toEqual([["exp", "enqueue"]]);
    expect(p.table()).toMatch(/times on untimed are enqueue times/);
    (p.result as tf.Tensor).dispose();
    a.dispose();
  });
});
