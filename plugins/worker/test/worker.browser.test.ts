/**
 * The worker backend in headless Chromium: buffers and kernels in a module Web Worker, driven
 * through comlink. The conformance suite over every op (required kernels in the worker, optional
 * ops as decompositions there), and one training step of the seed model against the reference.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createWorkerBackend } from "@eager/plugin-worker";
import { seedModelStep } from "../../guide/src/seed-step.js";

registerBackend("worker", () => createWorkerBackend(), { priority: -1, kind: "other" });
await tf.ready("worker");

describe("the worker backend in a browser", () => {
  it("runs in a module Web Worker and trains the seed MNISTModel", async () => {
    expect(typeof Worker).toBe("function");
    const before = tf.memory();
    const r = await seedModelStep("worker", { batch: 8, seed: 7 });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(Math.abs(r.loss - r.referenceLoss)).toBeLessThan(1e-5);
    expect(r.gradientError).toBeLessThan(1e-5);
    expect(r.weightError).toBeLessThan(1e-6);
    expect(r.gradientDevices.every((d) => d === "worker")).toBe(true);
  });
});

conformanceSuite({ device: "worker", describe, it });
