/**
 * After one worker crash, the ops that follow in the same tick (before the exit event has
 * replaced the worker) run on the remaining threads and give correct results. WorkerCrashError
 * is one of the library's errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, WorkerCrashError, type CpuBackend } from "@eager/backend-cpu";
import { randomValues } from "./helpers.js";

let b: CpuBackend;
beforeAll(async () => {
  b = await createCpuBackend({ name: "cputick", threads: 3, thresholds: { elementwise: 1000, matmul: 1000 }, stallTimeoutMs: 5000 });
  registerBackend("cputick", () => b, { priority: -1 });
  await tf.ready("cputick");
});

const N = 1 << 20;
const x = randomValues(N, 3);
const y = randomValues(N, 4);
function addOnce(): Float32Array {
  return tf.withDevice("cputick", () => {
    const t = tf.add(x, y);
    try {
      return t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
  });
}

describe("worker crash, same tick", () => {
  it("later ops in the same tick succeed", async () => {
    let error: unknown = null;
    for (let attempt = 0; attempt < 50 && error === null; attempt++) {
      b.pool!.crashWorkerInNextChunk(0);
      try {
        addOnce();
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(error).toBeInstanceOf(tf.EagerError);
    expect((error as Error).name).toBe("WorkerCrashError");
    // Same tick: the exit event has not run, the dead worker is not replaced yet.
    let failures = 0;
    for (let i = 0; i < 30; i++) {
      try {
        const out = addOnce();
        for (let j = 0; j < N; j += 7919) expect(out[j]).toBeCloseTo(x[j]! + y[j]!, 5);
      } catch (e) {
        if (!(e instanceof WorkerCrashError)) throw e;
        failures++;
      }
    }
    expect(failures).toBe(0);
    await b.pool!.whenFull();
    const out = addOnce();
    expect(out[5]).toBeCloseTo(x[5]! + y[5]!, 5);
  });
});
