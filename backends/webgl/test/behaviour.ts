/**
 * Tests every environment runs on the "webgl" device, whatever mode gpu.js picked there:
 * training against the reference, gradients of a small conv model, no leaks over 100 steps,
 * ops chained without readback, kernels cached per shape class, limits and float64 declared.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { WebGlBackend } from "@eager/backend-webgl";
import { MNISTModel } from "../../../packages/examples/src/mnist/models.js";
import { batch, convModelGradients, copyWeights, maxDiff, trainStep } from "./workloads.js";

/** Register the shared tests for `device` (a "webgl" backend, already registered). */
export function behaviourTests(device: string): void {
  const backend = () => getBackend(device) as WebGlBackend;

  describe(`training on "${device}"`, () => {
    it("the MNIST seed model's step matches the reference: loss, gradients, updated weights", async () => {
      const b = batch(16, 3);
      const onGl = tf.withDevice(device, () => new MNISTModel());
      const onRef = tf.withDevice("reference", () => new MNISTModel());
      tf.withDevice(device, () => onGl.apply(tf.zeros([1, 784])).dispose());
      tf.withDevice("reference", () => onRef.apply(tf.zeros([1, 784])).dispose());
      await copyWeights(onGl, onRef);
      const gl = await trainStep(device, onGl, b, 16);
      const ref = await trainStep("reference", onRef, b, 16);
      expect(gl.devices.every((d) => d === device)).toBe(true);
      expect(Math.abs(gl.loss - ref.loss)).toBeLessThan(1e-4);
      expect(gl.loss).toBeGreaterThan(0);
      gl.grads.forEach((g, i) => expect(maxDiff(g, ref.grads[i]!)).toBeLessThan(1e-4));
      gl.weights.forEach((w, i) => expect(maxDiff(w, ref.weights[i]!)).toBeLessThan(1e-4));
    });

    it("gradients of a small conv model match the reference's", async () => {
      const gl = await convModelGradients(device);
      const ref = await convModelGradients("reference");
      expect(Math.abs(gl.loss - ref.loss)).toBeLessThan(1e-4);
      expect(gl.grads.length).toBe(3);
      gl.grads.forEach((g, i) => {
        expect(g.length).toBe(ref.grads[i]!.length);
        expect(maxDiff(g, ref.grads[i]!)).toBeLessThan(1e-4);
        expect(maxDiff(ref.grads[i]!, new Float32Array(g.length))).toBeGreaterThan(1e-3);
      });
    });

    it("100 training steps leave no tensors, bytes or GPU values behind", async () => {
      const model = tf.withDevice(device, () => new MNISTModel());
      const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.05 });
      const b = batch(8, 5);
      const x = tf.withDevice(device, () => tf.tensor(b.x, [8, 784]));
      const y = tf.withDevice(device, () => tf.tensor(b.y, [8, 10]));
      const stepOnce = () =>
        tf.withDevice(device, () =>
          tf.tidy(() => {
            const [loss, pairs] = tf.implicitValueAndGradients(() => tf.losses.softmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x) }))();
            opt.applyGradients(pairs);
            return loss.dataSync()[0]!;
          }),
        );
      const first = stepOnce();
      const m0 = tf.memory();
      const live0 = backend().runtime.liveValues;
      let last = first;
      for (let i = 0; i < 100; i++) last = stepOnce();
      const m1 = tf.memory();
      expect(m1.numTensors).toBe(m0.numTensors);
      expect(m1.numBytes).toBe(m0.numBytes);
      expect(backend().runtime.liveValues).toBe(live0);
      expect(last).toBeLessThan(first);
      x.dispose();
      y.dispose();
    });
  });

  describe(`runtime of "${device}"`, () => {
    it("a chain of ops reads nothing back until the value is read", () => {
      const rt = backend().runtime;
      tf.withDevice(device, () =>
        tf.tidy(() => {
          const a = tf.tensor([1, 2, 3, 4], [2, 2]);
          const before = rt.downloads;
          const launches = rt.launches;
          let h = a;
          for (let i = 0; i < 10; i++) h = tf.relu(tf.add(tf.matmul(h, a), -1));
          expect(rt.downloads).toBe(before);
          expect(rt.launches - launches).toBeGreaterThanOrEqual(30);
          const s = tf.sum(tf.mul(a, 2)).dataSync();
          expect(Array.from(s)).toEqual([20]);
          expect(rt.downloads).toBe(before + 1);
        }),
      );
    });

    it("compiles one kernel per shape class and reuses it for other sizes", () => {
      const rt = backend().runtime;
      tf.withDevice(device, () => tf.tidy(() => void tf.exp(tf.ones([3, 5])).dataSync()));
      const compiled = rt.compiledKernels;
      const values = tf.withDevice(device, () => tf.tidy(() => Array.from(tf.exp(tf.ones([7, 2])).dataSync())));
      const more = tf.withDevice(device, () => tf.tidy(() => Array.from(tf.exp(tf.fill([11], 2)).dataSync())));
      expect(rt.compiledKernels).toBe(compiled);
      expect(values[0]).toBeCloseTo(Math.E, 5);
      expect(more[10]).toBeCloseTo(Math.exp(2), 4);
    });

    it("refuses a tensor beyond its limits, naming the op and the shape", () => {
      const side = Math.ceil(Math.sqrt(backend().runtime.maxElements + 1));
      // core checks capabilities.maxElements before allocating; kernels check again with the shape
      expect(() => tf.withDevice(device, () => tf.fill([side, side], 1))).toThrow(new RegExp(`fill: .*${side * side} elements exceeds the limit of device "${device}"`));
      const rt = backend().runtime;
      expect(() => rt.checkSize("matmul", "the output", [side, side], side * side)).toThrow(new RegExp(`matmul: the output of shape \\[${side},${side}\\] has ${side * side} elements`));
    });

    it("declares float64 unsupported: placement falls back under the user's policy", () => {
      expect(backend().capabilities.dtypes).toEqual(["float32", "int32", "bool"]);
      const policy = tf.getFallbackPolicy();
      try {
        tf.setFallbackPolicy("error");
        expect(() => tf.withDevice(device, () => tf.tensor([1, 2], [2], "float64"))).toThrow(/no float64 support/);
        tf.setFallbackPolicy("auto");
        tf.resetPlacementReport();
        const y = tf.withDevice(device, () => tf.add(tf.tensor([1, 2], [2], "float64"), 1));
        expect(y.device).not.toBe(device);
        expect(Array.from(y.dataSync())).toEqual([2, 3]);
        expect(tf.placementReport().fallbacks.some((f) => f.from === device && /float64/.test(f.reason))).toBe(true);
        y.dispose();
      } finally {
        tf.setFallbackPolicy(policy);
      }
    });

    it("stores int32 exactly up to 2^24 and bool as 0/1", () => {
      const big = 2 ** 24;
      const v = tf.withDevice(device, () => tf.tidy(() => Array.from(tf.sub(tf.tensor([big, -big + 1, 12345678], [3], "int32"), 1).dataSync())));
      expect(v).toEqual([big - 1, -big, 12345677]);
      const b = tf.withDevice(device, () => tf.tidy(() => Array.from(tf.greater(tf.tensor([1, 5, 3]), 2).dataSync())));
      expect(b).toEqual([0, 1, 1]);
    });
  });
}
