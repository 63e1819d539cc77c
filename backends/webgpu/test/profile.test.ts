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
import { expectMatmulDominates, heavyChain } from "../../../test/profile-chain.js";
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

suite(title, () => {
  it("times each op by GPU timestamps where the device has them: the heavy matmul takes most of the time", async () => {
    const b = getBackend("webgpu") as WebGpuBackend;
    expect(b.device.features.has("timestamp-query")).toBe(true); // SwiftShader's adapter offers it
    expect(b.capabilities.info!["timestampQueries"]).toBe(true);
    const p = await heavyChain("webgpu", 256);
    expectMatmulDominates(p, "gpu-timestamp", "webgpu", "WGSL");
  });

  it("times each op to its completion on a device without timestamps, submitting op by op only while profiling", async () => {
    const b = await createWebGpuBackend({ name: "gpunotimestamps", timestampQueries: false });
    registerBackend("gpunotimestamps", () => b, { priority: -5, kind: "gpu", defaultDevice: false });
    await ready("gpunotimestamps");
    expect(b.device.features.has("timestamp-query")).toBe(false);
    const before = b.stats.submits;
    const p = await heavyChain("gpunotimestamps", 256);
    expectMatmulDominates(p, "completion", "gpunotimestamps", "WGSL");
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
