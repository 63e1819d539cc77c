/**
 * Profiling on WebGPU: each op is timed on the device, by GPU timestamp queries where the
 * device has "timestamp-query" (SwiftShader's adapter does) and to its completion where it does
 * not (a second backend created without the feature); a heavy matmul among small adds takes
 * most of the time either way. Also the timestamp arithmetic, the feature request, and that
 * batching resumes once the profile ends.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend, ready, registerBackend, removeBackend } from "@eager/core/backend";
import { createWebGpuBackend, type WebGpuBackend } from "@eager/backend-webgpu";
import { acquireDevice } from "../src/device.js";
import { MAX_TIMED_PASSES, passTimeMs } from "../src/timestamps.js";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "webgpu profile" : `webgpu profile (skipped: ${availability.reason})`;

describe("timestamp arithmetic", () => {
  it("sums each pass's end minus begin, nanoseconds to milliseconds, and counts a backwards pair as 0", () => {
    const ticks = new BigUint64Array([10_000_000_000n, 10_002_500_000n, 10_002_500_000n, 10_002_750_000n, 9n, 5n, 1n, 1n]);
    expect(passTimeMs(ticks, 1)).toBe(2.5);
    expect(passTimeMs(ticks, 2)).toBe(2.75);
    expect(passTimeMs(ticks, 4)).toBe(2.75);
    expect(passTimeMs(new BigUint64Array([2n ** 63n, 2n ** 63n + 1_234_567n]), 1)).toBeCloseTo(1.234567, 9);
    expect(MAX_TIMED_PASSES * 16).toBeLessThanOrEqual(4096);
  });

  it("asks for timestamp-query only where the adapter offers it and it is not turned off", async () => {
    const asked: (readonly string[])[] = [];
    const fakeGpu = (features: string[]) => ({
      requestAdapter: async () => ({
        features: new Set(features),
        limits: { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 },
        requestDevice: async (d: { requiredFeatures: readonly string[] }) => (asked.push(d.requiredFeatures), {}),
      }),
    }) as unknown as GPU;
    await acquireDevice({ gpu: fakeGpu(["timestamp-query", "subgroups"]) });
    await acquireDevice({ gpu: fakeGpu(["subgroups"]) });
    await acquireDevice({ gpu: fakeGpu(["timestamp-query"]), timestampQueries: false });
    expect(asked).toEqual([["timestamp-query"], [], []]);
  });
});

/** Five small adds, a heavy matmul, five small adds: the profile of that chain on `device`. */
async function heavyChain(device: string) {
  const [small, a] = tf.withDevice(device, () => [tf.fill([64], 1), tf.randomUniform([256, 256], 0, 1, "float32", 3)]);
  const run = () => tf.withDevice(device, () => tf.tidy(() => {
    let s = small!;
    for (let i = 0; i < 5; i++) s = tf.add(s, 1);
    const m = tf.matmul(a!, a!);
    for (let i = 0; i < 5; i++) s = tf.add(s, 1);
    return [tf.sum(m), s];
  }));
  for (const t of run()) await t.data().then(() => t.dispose()); // compile the pipelines first
  const p = await tf.profile(run);
  const [total, s] = p.result;
  expect(Array.from(await s!.data())).toEqual(new Array(64).fill(11));
  expect((await total!.data())[0]).toBeGreaterThan(0);
  for (const t of [small!, a!, total!, s!]) t.dispose();
  return p;
}

function expectMatmulDominates(p: Awaited<ReturnType<typeof heavyChain>>, source: string, device: string): void {
  expect(p.ops.map((o) => o.op)).toEqual([...new Array(5).fill("add"), "matmul", ...new Array(5).fill("add"), "sum"]);
  for (const o of p.ops) expect([o.op, o.device, o.timeSource]).toEqual([o.op, device, source]);
  const total = p.ops.reduce((s, o) => s + o.wallMs, 0);
  const matmul = p.byOp["matmul"]!.totalMs;
  // SwiftShader runs on CPU threads that other processes share, so a small op can be delayed by
  // milliseconds now and then: the matmul (about 30 MFLOP) must still take most of the time.
  expect(matmul / total, p.table()).toBeGreaterThan(0.6);
  // On the device, ops run one after another: each starts no earlier than the one before ended.
  for (let i = 1; i < p.ops.length; i++) expect(p.ops[i]!.startMs).toBeGreaterThanOrEqual(p.ops[i - 1]!.startMs + (source === "completion" ? p.ops[i - 1]!.wallMs - 1e-6 : 0));
  const rows = p.table().split("\n");
  expect(rows[0]).toMatch(/^op\s+device\s+kernel\s+time\s+calls/);
  expect(rows[2]).toMatch(new RegExp(`^matmul\\s+${device}\\s+WGSL\\s+${source}\\s+1\\s`));
  expect(p.table()).toMatch(new RegExp(`ops on ${device} were submitted one at a time`));
  const trace = JSON.parse(p.toChromeTrace()) as { traceEvents: { ph: string; name: string; dur: number; args: { index: number; timeSource: string } }[] };
  const spans = trace.traceEvents.filter((e) => e.ph === "X");
  expect(spans.map((e) => [e.args.index, e.name, e.args.timeSource])).toEqual(p.ops.map((o) => [o.index, o.op, source]));
  expect(spans.find((e) => e.name === "matmul")!.dur).toBe(Math.max(1, Math.round(matmul * 1000)));
}

suite(title, () => {
  it("times each op by GPU timestamps where the device has them: the heavy matmul takes most of the time", async () => {
    const b = getBackend("webgpu") as WebGpuBackend;
    expect(b.device.features.has("timestamp-query")).toBe(true); // SwiftShader's adapter offers it
    expect(b.capabilities.info!["timestampQueries"]).toBe(true);
    const p = await heavyChain("webgpu");
    expectMatmulDominates(p, "gpu-timestamp", "webgpu");
  });

  it("times each op to its completion on a device without timestamps, submitting op by op only while profiling", async () => {
    const b = await createWebGpuBackend({ name: "gpunotimestamps", timestampQueries: false });
    registerBackend("gpunotimestamps", () => b, { priority: -5, kind: "gpu", defaultDevice: false });
    await ready("gpunotimestamps");
    expect(b.device.features.has("timestamp-query")).toBe(false);
    const before = b.stats.submits;
    const p = await heavyChain("gpunotimestamps");
    expectMatmulDominates(p, "completion", "gpunotimestamps");
    const sum = p.ops.reduce((s, o) => s + o.wallMs, 0);
    expect(sum).toBeLessThanOrEqual(p.wallMs);
    // Outside a profile, the chain's 12 ops share one submission again.
    const x = tf.withDevice("gpunotimestamps", () => tf.fill([64], 1));
    await x.data();
    const submits = b.stats.submits;
    const y = tf.withDevice("gpunotimestamps", () => tf.tidy(() => { let s = x; for (let i = 0; i < 12; i++) s = tf.add(s, 1); return s; }));
    await y.data();
    expect(b.stats.submits - submits).toBe(1);
    expect(submits - before).toBeGreaterThan(12); // the profiled run submitted op by op
    x.dispose();
    y.dispose();
    removeBackend("gpunotimestamps");
  });
});
