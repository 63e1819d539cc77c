/**
 * The "webgl" backend on real WebGL2 in headless Chromium (ANGLE over SwiftShader): it says
 * which mode runs, answers to "gpu" when no WebGPU backend is registered, keeps values on
 * the GPU, trains like the reference, and turns a lost context into a clear error at the
 * next op (never wrong numbers). The shared tests run here too.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend, registerBackend, removeBackend } from "@eager/core/backend";
import { createWebGlBackend, WebGlContextLostError, webGlAvailable, type WebGlBackend } from "@eager/backend-webgl";
import { behaviourTests } from "./behaviour.js";

describe("webgl backend in Chromium", () => {
  it("runs gpu.js in webgl2 mode and reports it in capabilities and placement", () => {
    expect(webGlAvailable()).toBe(true);
    const b = getBackend("webgl") as WebGlBackend;
    expect(b.mode).toBe("webgl2");
    expect(b.isWebGl).toBe(true);
    expect(b.capabilities.kind).toBe("gpu");
    expect(b.capabilities.info!["mode"]).toBe("webgl2");
    expect(b.capabilities.info!["maxTextureSize"]).toBeGreaterThanOrEqual(4096);
    expect(tf.resolveDevice("gpu")).toBe("webgl");
    tf.resetPlacementReport();
    const y = tf.withDevice("gpu", () => tf.matmul([[1, 2]], [[3], [4]]));
    expect(y.device).toBe("webgl");
    expect(y.item()).toBe(11);
    expect(tf.placementReport().ops["webgl"]?.["matmul"]).toBe(1);
    expect(tf.placementReport().devices["webgl"]!.info["mode"]).toBe("webgl2");
    y.dispose();
  });

  it("keeps results on the GPU as textures between ops", () => {
    const x = tf.withDevice("webgl", () => tf.exp(tf.tensor([0, 1])));
    const value = (x as unknown as { _storage: { data: { value: object } } })._storage.data.value;
    expect(value).not.toBeInstanceOf(Float32Array);
    expect(typeof (value as { toArray?: unknown }).toArray).toBe("function");
    x.dispose();
  });
});

describe("WebGL context loss", () => {
  it("is a clear error at the next op, and in reads, never wrong numbers", async () => {
    const b = createWebGlBackend({ name: "webgllost" });
    registerBackend("webgllost", () => b, { priority: -5 });
    try {
      const x = tf.withDevice("webgllost", () => tf.tensor([1, 2, 3]));
      const y = tf.withDevice("webgllost", () => tf.add(x, 1));
      expect(Array.from(y.dataSync())).toEqual([2, 3, 4]);
      const gl = b.runtime.gl!;
      const lose = gl.getExtension("WEBGL_lose_context");
      expect(lose).not.toBeNull();
      lose!.loseContext();
      await new Promise((r) => setTimeout(r, 50));
      expect(b.capabilities.info!["contextLost"]).toBe(true);
      expect(() => tf.withDevice("webgllost", () => tf.add(x, x))).toThrow(WebGlContextLostError);
      expect(() => tf.withDevice("webgllost", () => tf.add(x, x))).toThrow(/add: the WebGL context of the "webgllost" backend was lost/);
      expect(() => tf.withDevice("webgllost", () => tf.add(x, 1))).toThrow(/WebGL context .* was lost/);
      expect(() => y.dataSync()).toThrow(/WebGL context .* was lost/);
      await expect(y.data()).rejects.toThrow(/was lost/);
      x.dispose();
      y.dispose();
    } finally {
      removeBackend("webgllost");
    }
  });
});

behaviourTests("webgl");
