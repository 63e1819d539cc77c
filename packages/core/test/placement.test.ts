/** Device placement: scopes, aliases, explicit placement, fallback policy, placement report. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { createNullBackend, registerBackend, removeBackend, type NullBackend } from "@eager/core/backend";

let gpu: NullBackend;
let other: NullBackend;

beforeEach(() => {
  gpu = createNullBackend({ name: "fakegpu", kind: "gpu", ops: ["add", "mul", "matmul", "fill", "reshape", "sum", "onesLike"], dtypes: ["float32", "int32", "bool"] });
  other = createNullBackend({ name: "other", kind: "other" });
  registerBackend("fakegpu", () => gpu, { priority: -1 });
  registerBackend("other", () => other, { priority: -2 });
  tf.resetPlacementReport();
  tf.setFallbackPolicy("auto");
});
afterEach(() => {
  removeBackend("fakegpu");
  removeBackend("other");
  tf.setFallbackPolicy("warn");
  tf.setDefaultDevice(null);
});

describe("device resolution", () => {
  it("resolves aliases", () => {
    expect(tf.resolveDevice("gpu")).toBe("fakegpu");
    expect(tf.resolveDevice("/gpu:0")).toBe("fakegpu");
    expect(tf.resolveDevice("/device:GPU:0")).toBe("fakegpu");
    expect(tf.resolveDevice("reference")).toBe("reference");
    expect(tf.resolveDevice("/cpu:0")).toBe(tf.listBackends().includes("cpu") ? "cpu" : "reference");
  });
  it("rejects unknown devices with the registered list", () => {
    expect(() => tf.withDevice("tpu", () => 1)).toThrow(tf.UnknownDeviceError);
    expect(() => tf.resolveDevice("/gpu:1")).toThrow(/only device index 0/);
  });
  it("the default device is the highest priority backend unless set", () => {
    expect(tf.getDefaultDevice()).not.toBe("fakegpu");
    tf.setDefaultDevice("gpu");
    expect(tf.getDefaultDevice()).toBe("fakegpu");
  });
});

describe("withDevice", () => {
  it("routes ops and new tensors to the scope's device, and nests", () => {
    const a = tf.tensor([1, 2]);
    expect(a.device).toBe(tf.getDefaultDevice());
    const y = tf.withDevice("gpu", () => {
      const b = tf.tensor([3, 4]);
      expect(b.device).toBe("fakegpu");
      const inner = tf.withDevice("reference", () => tf.add(a, 1));
      expect(inner.device).toBe("reference");
      return tf.add(a, b);
    });
    expect(y.device).toBe("fakegpu");
    expect(gpu.calls.map((c) => c.op)).toEqual(["add"]);
    const report = tf.placementReport();
    expect(report.ops["fakegpu"]).toEqual({ add: 1 });
    expect(report.devices["fakegpu"]).toEqual({ kind: "gpu", available: true, info: {} });
    expect(report.bytesMoved).toBe(8); // a moved to the fake GPU
  });
  it("works across await", async () => {
    const y = await tf.withDevice("gpu", async () => {
      await new Promise((r) => setTimeout(r, 1));
      return tf.mul(tf.tensor([1]), 2);
    });
    expect(y.device).toBe("fakegpu");
    expect(tf.add(1, 2).device).toBe(tf.getDefaultDevice());
  });
  it("ops on explicitly placed inputs run on their device outside any scope", () => {
    const a = tf.tensor([1, 2]).to("gpu");
    const y = tf.add(a, tf.tensor([1, 1]));
    expect(y.device).toBe("fakegpu");
  });
  it("two explicitly placed inputs on different devices are an error naming both", () => {
    const a = tf.tensor([1, 2]).to("gpu");
    const b = tf.tensor([1, 2]).to("other");
    expect(() => tf.add(a, b)).toThrow(tf.DeviceMismatchError);
    expect(() => tf.add(a, b)).toThrow(/fakegpu.*other/);
    expect(tf.withDevice("reference", () => tf.add(a, b)).device).toBe("reference");
  });
});

describe("fallback", () => {
  it("falls back along the chain and reports it", () => {
    const y = tf.withDevice("gpu", () => tf.exp(tf.tensor([0])));
    expect(y.device).toBe(tf.listBackends().includes("cpu") ? "cpu" : "reference");
    const fb = tf.placementReport().fallbacks;
    expect(fb).toEqual([expect.objectContaining({ op: "exp", from: "fakegpu", reason: "no exp kernel", count: 1 })]);
  });
  it("falls back for a dtype the device lacks", () => {
    const y = tf.withDevice("gpu", () => tf.add(tf.tensor([1], undefined, "float64"), 1));
    expect(y.device).not.toBe("fakegpu");
    expect(tf.placementReport().fallbacks.some((f) => f.reason.includes("float64"))).toBe(true);
  });
  it("policy error forbids fallback", () => {
    tf.setFallbackPolicy("error");
    expect(() => tf.withDevice("gpu", () => tf.exp(tf.tensor([0])))).toThrow(tf.KernelUnavailableError);
  });
  it("policy warn warns once per op and devices", () => {
    tf.setFallbackPolicy("warn");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    tf.withDevice("gpu", () => {
      tf.sin(tf.tensor([0]));
      tf.sin(tf.tensor([0]));
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/sin fell back from "fakegpu"/);
    warn.mockRestore();
  });
});

describe("movement between devices", () => {
  it("to() copies and counts bytes", () => {
    const a = tf.tensor([1, 2, 3]);
    const b = a.to("other");
    expect(b.device).toBe("other");
    expect(b.dataSync()).toEqual(new Float32Array(3)); // the null backend computes nothing
    expect(tf.placementReport().moves[`${a.device}->other`]).toEqual({ bytes: 12, count: 1 });
    expect(a.to(a.device).dataSync()).toEqual(new Float32Array([1, 2, 3]));
  });
  it("toAsync() works too", async () => {
    const b = await tf.tensor([1, 2]).toAsync("reference");
    expect(await b.data()).toEqual(new Float32Array([1, 2]));
  });
});

describe("default candidates", () => {
  it("a backend registered with defaultDevice: false answers to its alias but never becomes the default", () => {
    const b = createNullBackend({ name: "bestgpu", kind: "gpu" });
    registerBackend("bestgpu", () => b, { priority: 100, kind: "gpu", defaultDevice: false });
    try {
      expect(tf.getDefaultDevice()).not.toBe("bestgpu");
      expect(tf.resolveDevice("gpu")).toBe("bestgpu");
    } finally {
      removeBackend("bestgpu");
    }
  });
});
