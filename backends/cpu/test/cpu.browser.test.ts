/**
 * The CPU backend in headless Chromium (a cross-origin isolated page): the pool's workers
 * are browser Workers sharing the wasm memory; the main thread cannot block, so it spins.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend } from "@eager/backend-cpu";

describe("cpu backend in Chromium", () => {
  it("runs kernels on two threads and agrees with the reference", async () => {
    expect(crossOriginIsolated).toBe(true);
    await tf.ready();
    expect(tf.getDefaultDevice()).toBe("cpu");
    const b = await createCpuBackend({ name: "cpubrowser", threads: 2, awaitWorkers: true, thresholds: { elementwise: 1024, matmul: 1024 } });
    registerBackend("cpubrowser", () => b, { priority: -1 });
    await tf.ready("cpubrowser");
    expect(b.threads).toBe(2);
    const a = tf.randomNormal([64, 48], 0, 1, "float32", 1);
    const c = tf.randomNormal([48, 40], 0, 1, "float32", 2);
    const want = tf.withDevice("reference", () => tf.matmul(a, c)).dataSync();
    const before = b.context.parallelRuns;
    const got = tf.withDevice("cpubrowser", () => tf.matmul(a, c)).dataSync();
    expect(b.context.parallelRuns).toBeGreaterThan(before);
    for (let i = 0; i < want.length; i++) expect(got[i]!).toBeCloseTo(want[i]!, 4);
  });
});
