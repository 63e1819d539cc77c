/**
 * In Node there is no WebGL context (headless-gl is not built), so gpu.js runs its kernels in
 * its WebAssembly fallback. The backend must say so, never claim WebGL, stay off the "gpu"
 * alias and the default device, and still compute correct values (the shared tests and the
 * conformance suite prove the values).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { getBackend, listBackends, registerBackend, removeBackend } from "@eager/core/backend";
import { createWebGlBackend, webGlAvailable, type WebGlBackend } from "@eager/backend-webgl";
import { behaviourTests } from "./behaviour.js";

describe("webgl backend in Node: honest about the fallback", () => {
  it("reports the mode gpu.js really runs, not WebGL", () => {
    expect(webGlAvailable()).toBe(false);
    const b = getBackend("webgl") as WebGlBackend;
    const info = b.capabilities.info!;
    expect(["webasm", "cpu"]).toContain(info["mode"]);
    expect(info["mode"]).toBe(b.mode);
    expect(info["webgl"]).toBe(false);
    expect(b.isWebGl).toBe(false);
    expect(b.capabilities.kind).toBe("other");
    expect(b.capabilities.syncRead).toBe(true);
  });

  it("the placement report shows the mode where ops ran", () => {
    tf.resetPlacementReport();
    tf.withDevice("webgl", () => tf.add(tf.tensor([1, 2]), 1).dispose());
    const report = tf.placementReport();
    expect(report.ops["webgl"]?.["add"]).toBe(1);
    expect(report.devices["webgl"]!.info["webgl"]).toBe(false);
    expect(["webasm", "cpu"]).toContain(report.devices["webgl"]!.info["mode"]);
  });

  it("is neither the default device nor the \"gpu\" device", () => {
    expect(listBackends().indexOf("webgl")).toBeGreaterThan(listBackends().indexOf("reference"));
    expect(tf.getDefaultDevice()).not.toBe("webgl");
    let gpu: string | null = null;
    try {
      gpu = tf.resolveDevice("gpu");
    } catch {
      gpu = null;
    }
    expect(gpu).not.toBe("webgl");
  });

  it("warns once per mode when it starts off WebGL", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const a = createWebGlBackend({ name: "glcpu1", mode: "cpu" });
      const b = createWebGlBackend({ name: "glcpu2", mode: "cpu" });
      expect(a.mode).toBe("cpu");
      expect(b.capabilities.info!["mode"]).toBe("cpu");
      const mine = warn.mock.calls.filter((c) => String(c[0]).includes('"cpu" mode (not WebGL)'));
      expect(mine.length).toBe(1);
      a.dispose!();
      b.dispose!();
    } finally {
      warn.mockRestore();
    }
  });
});

describe("gpu.js cpu mode computes the same values", () => {
  beforeAll(() => registerBackend("webglcpu", () => createWebGlBackend({ name: "webglcpu", mode: "cpu" }), { priority: -2 }));
  afterAll(() => removeBackend("webglcpu"));
  it("matmul, softmax and a reduction agree with the reference", () => {
    const run = (device: string) =>
      tf.withDevice(device, () =>
        tf.tidy(() => {
          const a = tf.tensor([1, -2, 3, 0.5, 4, -1], [2, 3]);
          const b = tf.tensor([2, 1, 0, -1, 3, 2], [3, 2]);
          return [Array.from(tf.matmul(a, b).dataSync()), Array.from(tf.softmax(a).dataSync()), Array.from(tf.max(a, 1).dataSync())];
        }),
      );
    const got = run("webglcpu");
    const want = run("reference");
    expect(got[0]).toEqual([11, 9, -2, -5.5]);
    expect(want[0]).toEqual([11, 9, -2, -5.5]);
    got[1]!.forEach((v, i) => expect(v).toBeCloseTo(want[1]![i]!, 6));
    expect(got[2]).toEqual([3, 4]);
  });
});

describe("benchmarks in Node", () => {
  it("leave the eager-webgl engine out, saying gpu.js would not run WebGL here", async () => {
    const { webglEngines } = await import("../../../bench/src/engines/webgl.js");
    const r = await webglEngines();
    expect(r.engines).toEqual([]);
    expect(r.unavailable).toHaveLength(1);
    expect(r.unavailable[0]!.reason).toMatch(/no WebGL context here \(it would run in "webasm" mode\)/);
  });
});

behaviourTests("webgl");
