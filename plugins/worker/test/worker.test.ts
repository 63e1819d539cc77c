/**
 * The worker backend in Node: the seed model trains on it (one step equals the reference's),
 * optional ops run as decompositions inside the worker (never moved to another device), reads
 * are asynchronous only, a kernel failing in the worker surfaces at the next read, and a backend
 * without synchronous reads that lacks a required kernel is refused with the missing ops named.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend, requiredOps } from "@eager/core/backend";
import { createWorkerBackend } from "@eager/plugin-worker";
import { seedModelStep } from "../../guide/src/seed-step.js";

registerBackend("worker", () => createWorkerBackend(), { priority: -1, kind: "other" });

describe("the worker backend", () => {
  beforeAll(async () => {
    await tf.ready("worker");
    tf.setFallbackPolicy("error");
  });

  it("trains the seed MNISTModel: one step equals the reference's", async () => {
    tf.resetPlacementReport();
    const before = tf.memory();
    const r = await seedModelStep("worker", { batch: 16, seed: 5 });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(Math.abs(r.loss - r.referenceLoss)).toBeLessThan(1e-5);
    expect(r.gradientError).toBeLessThan(1e-5);
    expect(r.weightError).toBeLessThan(1e-6);
    expect(r.gradientDevices.every((d) => d === "worker")).toBe(true);
    const report = tf.placementReport();
    expect(report.ops["worker"]?.["matmul"]).toBeGreaterThan(0);
    expect(report.fallbacks).toEqual([]);
    expect(report.moves).toEqual({});
    // softmax cross-entropy takes a mean, which has no kernel here: it ran as sum / n on the worker.
    expect(report.decomposed["worker"]?.["mean"]).toBeGreaterThan(0);
  });

  it("reads only asynchronously, and says so", async () => {
    const y = tf.withDevice("worker", () => tf.mean(tf.tensor([[1, 2], [3, 6]]), 1));
    expect(Array.from(await y.data())).toEqual([1.5, 4.5]);
    expect(() => y.dataSync()).toThrow(/await/);
    y.dispose();
  });

  it("a kernel that fails in the worker rejects the next read with its message, and later reads too", async () => {
    registerBackend("worker-failing", () => createWorkerBackend({ name: "worker-failing" }), { priority: -1 });
    await tf.ready("worker-failing");
    // An index out of range is found only by the kernel, in the worker, after gather returned.
    const [x, y] = tf.withDevice("worker-failing", () => {
      const x = tf.tensor([1, 2, 3]);
      return [x, tf.gather(x, tf.tensor([0, 5], [2], "int32"))];
    });
    await expect(y!.data()).rejects.toThrow(/gather failed in the worker: .*indices\[1\] = 5 is not in \[0, 3\)/);
    await expect(x!.data()).rejects.toThrow(/gather failed/);
    x!.dispose();
    y!.dispose();
  });

  it("refuses an asynchronous backend that lacks a required kernel, naming the missing ops", async () => {
    registerBackend("worker-partial", () => createWorkerBackend({ name: "worker-partial", ops: requiredOps.filter((op) => op !== "matmul" && op !== "gather") }), { priority: -1 });
    await expect(tf.ready("worker-partial")).rejects.toThrow(/matmul.*gather|gather.*matmul/);
  });
});
