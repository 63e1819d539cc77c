/**
 * The seed model trains on the typed-array backend: one gradient-descent step of MNISTModel
 * gives the reference backend's loss, gradients and updated weights, and the placement report
 * shows which ops ran on the backend and which ran elsewhere or as decompositions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createTypedArrayBackend } from "@eager/plugin-typed-array";
import { seedModelStep } from "../../guide/src/seed-step.js";

registerBackend("typed-array", () => createTypedArrayBackend(), { priority: -1, kind: "cpu" });

describe("training on the typed-array backend", () => {
  beforeAll(async () => {
    await tf.ready("typed-array");
    tf.setFallbackPolicy("auto");
  });

  it("one step of the seed MNISTModel equals the reference's", async () => {
    tf.resetPlacementReport();
    const r = await seedModelStep("typed-array", { batch: 16, seed: 3 });
    expect(Math.abs(r.loss - r.referenceLoss)).toBeLessThan(1e-5);
    expect(r.gradientError).toBeLessThan(1e-5);
    expect(r.weightError).toBeLessThan(1e-6);
    expect(r.gradientDevices.every((d) => d === "typed-array")).toBe(true);
    const report = tf.placementReport();
    console.log(JSON.stringify(report.ops["typed-array"]), JSON.stringify(report.fallbacks), JSON.stringify((report as any).decomposed));
  });
});
