/**
 * Failure paths: a device destroyed mid-run makes the pending read and every later op fail
 * with a WebGpuDeviceError (never a hang); a WGSL validation error surfaces at the next read;
 * `reset()` and re-registration both bring the backend back.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { ready, registerBackend, removeBackend } from "@eager/core/backend";
import { createWebGpuBackend, registerWebGpuBackend, WebGpuDeviceError, type WebGpuBackend } from "@eager/backend-webgpu";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "webgpu device loss" : `webgpu device loss (skipped: ${availability.reason})`;

/** Settle within `ms` or fail: proves a promise does not hang. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);
}

async function fresh(name: string): Promise<WebGpuBackend> {
  const b = await createWebGpuBackend({ name });
  registerBackend(name, () => b, { priority: -5, kind: "gpu" });
  await ready(name);
  return b;
}

suite(title, () => {
  it("destroying the device mid-run fails the read and later ops clearly, then reset() recovers", async () => {
    const b = await fresh("gpulost");
    const x = tf.withDevice("gpulost", () => tf.fill([1000], 2));
    const y = tf.withDevice("gpulost", () => tf.exp(tf.mul(x, x)));
    const pending = y.data();
    b.device.destroy();
    await expect(within(pending, 10_000)).rejects.toThrow(WebGpuDeviceError);
    await expect(within(y.data(), 10_000)).rejects.toThrow(/device was lost|destroyed/);
    expect(() => tf.withDevice("gpulost", () => tf.add(x, 1))).toThrow(/reinitialized/);
    x.dispose();
    y.dispose();
    await b.reset();
    const z = tf.withDevice("gpulost", () => tf.add(tf.fill([3], 1), 2));
    expect(Array.from(await within(z.data(), 10_000))).toEqual([3, 3, 3]);
    z.dispose();
    removeBackend("gpulost");
  });

  it("a tensor from before reset() is refused with a clear error", async () => {
    const b = await fresh("gpureset");
    const old = tf.withDevice("gpureset", () => tf.fill([4], 1));
    await b.reset();
    expect(() => tf.withDevice("gpureset", () => tf.neg(old))).toThrow(/reset or lost/);
    removeBackend("gpureset");
  });

  it("a validation error surfaces at the next read, and re-registering starts over", async () => {
    const b = await fresh("gpuinvalid");
    b.runtime.dispatch("broken", () => "this is not WGSL", [], [1], [1, 1, 1]);
    const t = tf.withDevice("gpuinvalid", () => tf.fill([2], 5));
    await expect(within(t.data(), 10_000)).rejects.toThrow(/WGSL for kernel "broken" does not compile|validation/);
    expect(() => tf.withDevice("gpuinvalid", () => tf.fill([2], 1))).toThrow(/does not compile.*must be reinitialized/);
    registerWebGpuBackend("gpuinvalid");
    await ready("gpuinvalid");
    const u = tf.withDevice("gpuinvalid", () => tf.fill([2], 5));
    expect(Array.from(await within(u.data(), 10_000))).toEqual([5, 5]);
    removeBackend("gpuinvalid");
  });
});
