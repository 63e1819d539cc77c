/**
 * Worker failure: a worker that exits inside a chunk fails that op with WorkerCrashError
 * (no hang), is replaced, and later ops run correctly on the full pool again. A worker
 * killed while idle is replaced too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, WorkerCrashError, type CpuBackend } from "@eager/backend-cpu";
import { randomValues } from "./helpers.js";

let b: CpuBackend;
beforeAll(async () => {
  b = await createCpuBackend({ name: "cpucrash", threads: 3, awaitWorkers: true, thresholds: { elementwise: 1000, matmul: 1000 }, stallTimeoutMs: 5000 });
  registerBackend("cpucrash", () => b, { priority: -1 });
  await tf.ready("cpucrash");
});

const N = 1 << 21;
const x = randomValues(N, 1);
const y = randomValues(N, 2);
function addOnce(): Float32Array {
  return tf.withDevice("cpucrash", () => {
    const t = tf.add(x, y);
    try {
      return t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
  });
}
function expectSum(out: Float32Array): void {
  for (let i = 0; i < N; i += 4099) expect(out[i]).toBeCloseTo(x[i]! + y[i]!, 5);
}

describe("worker crash", () => {
  it("fails the running op clearly and replaces the worker", async () => {
    expect(b.pool!.liveWorkers()).toBe(2);
    const before = tf.memory().devices["cpucrash"]?.numTensors ?? 0;
    let error: unknown = null;
    const t0 = performance.now();
    for (let attempt = 0; attempt < 50 && error === null; attempt++) {
      b.pool!.crashWorkerInNextChunk(0);
      try {
        expectSum(addOnce());
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(String((error as Error).message)).toMatch(/worker 0 died while running a chunk/);
    expect(performance.now() - t0).toBeLessThan(30_000); // no hang: well under the test timeout even on a loaded machine
    expect(tf.memory().devices["cpucrash"]?.numTensors ?? 0).toBe(before);
    await b.pool!.whenFull();
    expect(b.pool!.replaced).toBeGreaterThanOrEqual(1);
    const runs = b.context.parallelRuns;
    expectSum(addOnce());
    expect(b.context.parallelRuns).toBe(runs + 1);
  });

  it("replaces a worker killed while idle; ops keep working meanwhile", async () => {
    const replaced = b.pool!.replaced;
    await b.pool!.killWorker(1);
    expectSum(addOnce());
    await b.pool!.whenFull();
    expect(b.pool!.replaced).toBe(replaced + 1);
    expectSum(addOnce());
  });
});
