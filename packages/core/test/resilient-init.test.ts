/**
 * Resilient initialization: a backend whose init rejects is marked unavailable with its
 * reason, ops placed on it name that reason, `ready()` still resolves for the default device
 * and the other devices keep working.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createNullBackend, registerBackend, removeBackend } from "@eager/core/backend";

function failingBackend(name: string, message: string) {
  const b = createNullBackend({ name, kind: "gpu" });
  return Object.assign(b, { init: () => Promise.reject(new Error(message)) });
}

afterEach(() => {
  removeBackend("brokengpu");
  removeBackend("brokendefault");
  tf.setDefaultDevice(null);
});

describe("a backend whose initialization fails", () => {
  it("is marked unavailable with its reason, and the other devices keep working", async () => {
    registerBackend("brokengpu", () => failingBackend("brokengpu", "requestDevice failed: adapter lost"), { priority: 50, kind: "gpu", defaultDevice: false });
    await tf.ready();
    await expect(tf.ready("brokengpu")).rejects.toThrow(/adapter lost/);

    const status = tf.listBackends({ details: true }).find((b) => b.name === "brokengpu")!;
    expect(status).toEqual({ name: "brokengpu", kind: "gpu", priority: 50, status: "unavailable", reason: "requestDevice failed: adapter lost" });
    expect(tf.listBackends()).toContain("brokengpu");

    const report = tf.placementReport();
    expect(report.devices["brokengpu"]).toEqual({ kind: "gpu", available: false, reason: "requestDevice failed: adapter lost", info: {} });

    expect(() => tf.withDevice("brokengpu", () => tf.add([1], [2]))).toThrow(tf.BackendUnavailableError);
    expect(() => tf.withDevice("brokengpu", () => tf.add([1], [2]))).toThrow(/"brokengpu" is unavailable: .*requestDevice failed: adapter lost/);
    // The "gpu" alias no longer points at it.
    expect(() => tf.resolveDevice("gpu")).toThrow(/no GPU backend/);

    const y = tf.add([1, 2], [3, 4]);
    expect(Array.from(await y.data())).toEqual([4, 6]);
    y.dispose();
  });

  it("ready() without a device moves the default past a failed candidate", async () => {
    registerBackend("brokendefault", () => failingBackend("brokendefault", "no adapter"), { priority: 100 });
    expect(tf.getDefaultDevice()).toBe("brokendefault");
    await tf.ready();
    expect(tf.getDefaultDevice()).not.toBe("brokendefault");
    const y = tf.mul(2, 3);
    expect(y.device).toBe(tf.getDefaultDevice());
    expect(await y.data()).toEqual(new Float32Array([6]));
    y.dispose();
  });

  it("ready() rejects with the reason when the device set as default fails", async () => {
    registerBackend("brokendefault", () => failingBackend("brokendefault", "no adapter"), { priority: 100 });
    tf.setDefaultDevice("brokendefault");
    await expect(tf.ready()).rejects.toThrow(/no adapter/);
  });

  it("a failed backend is tried again when it is registered again", async () => {
    registerBackend("brokengpu", () => failingBackend("brokengpu", "first try"), { kind: "gpu", defaultDevice: false });
    await expect(tf.ready("brokengpu")).rejects.toThrow(/first try/);
    registerBackend("brokengpu", () => createNullBackend({ name: "brokengpu", kind: "gpu" }), { kind: "gpu", defaultDevice: false });
    await tf.ready("brokengpu");
    expect(tf.listBackends({ details: true }).find((b) => b.name === "brokengpu")!.status).toBe("ready");
  });
});
