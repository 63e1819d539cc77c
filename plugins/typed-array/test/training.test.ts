/**
 * The seed model trains on the typed-array backend: one gradient-descent step of MNISTModel
 * gives the reference backend's loss, gradients and updated weights. The placement report
 * shows what ran where: optional ops as decompositions on the backend; on a partial instance
 * without matmul, matmul falling back to the reference backend with the bytes it moved.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createTypedArrayBackend, typedArrayOps } from "@eager/plugin-typed-array";
import { seedModelStep } from "../../guide/src/seed-step.js";

registerBackend("typed-array", () => createTypedArrayBackend(), { priority: -1, kind: "cpu" });
registerBackend("typed-array-no-matmul", () => createTypedArrayBackend({ name: "typed-array-no-matmul", ops: typedArrayOps.filter((op) => op !== "matmul") }), { priority: -1, kind: "cpu" });

describe("training on the typed-array backend", () => {
  beforeAll(async () => {
    await tf.ready("typed-array");
    await tf.ready("typed-array-no-matmul");
  });
  afterEach(() => tf.setFallbackPolicy("warn"));

  it("one step of the seed MNISTModel equals the reference's; optional ops ran as decompositions on the backend", async () => {
    tf.setFallbackPolicy("error");
    tf.resetPlacementReport();
    const before = tf.memory();
    const r = await seedModelStep("typed-array", { batch: 16, seed: 3 });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(Math.abs(r.loss - r.referenceLoss)).toBeLessThan(1e-5);
    expect(r.gradientError).toBeLessThan(1e-5);
    expect(r.weightError).toBeLessThan(1e-6);
    expect(r.gradientDevices).toEqual(["typed-array", "typed-array", "typed-array", "typed-array"]);
    const report = tf.placementReport();
    expect(report.ops["typed-array"]?.["matmul"]).toBeGreaterThanOrEqual(6); // 2 forward, 4 backward
    expect(report.fallbacks).toEqual([]);
    // The loss is a mean over the batch; mean is optional, so it ran as sum / n here.
    expect(report.decomposed["typed-array"]?.["mean"]).toBeGreaterThan(0);
  });

  it("on a partial instance without matmul, the step still matches and the fallback is reported", async () => {
    tf.setFallbackPolicy("auto");
    tf.resetPlacementReport();
    const r = await seedModelStep("typed-array-no-matmul", { batch: 8, seed: 4 });
    expect(Math.abs(r.loss - r.referenceLoss)).toBeLessThan(1e-5);
    expect(r.gradientError).toBeLessThan(1e-5);
    const report = tf.placementReport();
    const matmul = report.fallbacks.find((f) => f.op === "matmul" && f.from === "typed-array-no-matmul");
    expect(matmul?.to).toBe("reference");
    expect(matmul?.count).toBeGreaterThanOrEqual(6);
    expect(report.ops["typed-array-no-matmul"]?.["matmul"]).toBeUndefined();
    expect(report.moves["typed-array-no-matmul->reference"]?.bytes).toBeGreaterThan(0);
  });
});
