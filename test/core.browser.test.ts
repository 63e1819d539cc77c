/**
 * `@eager/core` inside headless Chromium: the seed values, async readback, and what the page
 * offers the backends: cross-origin isolation with SharedArrayBuffer shared with a worker,
 * WebGL2 and a WebGPU adapter.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("@eager/core in the browser", () => {
  it("runs in a page, not in Node", () => {
    expect(typeof window).toBe("object");
    expect(typeof document).toBe("object");
    expect(navigator.userAgent).toMatch(/Chrome\//);
  });

  it("prints matmul([[2]], [[2]])", () => {
    expect(String(tf.matmul([[2]], [[2]]))).toBe("Tensor([[4]], shape=[1,1], dtype=float32)");
  });

  it("differentiates square at 3 to first and second order", () => {
    const square = (x: tf.Tensor) => tf.mul(x, x);
    const grad = tf.gradientsFunction(square);
    expect(grad(3)[0]!.item()).toBe(6);
    expect(tf.gradientsFunction((x) => grad(x)[0]!)(3)[0]!.item()).toBe(2);
  });

  it("a custom gradient keeps log1pexp finite at 100", () => {
    const stable = tf.customGradient((v) => {
      const e = tf.exp(v);
      return [tf.log(tf.add(1, e)), (dy) => tf.mul(dy, tf.sub(1, tf.div(1, tf.add(1, e))))];
    });
    expect(tf.gradientsFunction(stable)(100)[0]!.item()).toBe(1);
  });

  it("reads values back asynchronously", async () => {
    const t = tf.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]);
    expect(Array.from(await t.data())).toEqual([19, 22, 43, 50]);
    expect(await t.array()).toEqual([[19, 22], [43, 50]]);
    t.dispose();
  });
});

/** The part of WebGPU's `navigator.gpu` used here. */
interface Gpu {
  requestAdapter(): Promise<{ info: { vendor: string; architecture: string; description: string }; limits: { maxStorageBufferBindingSize: number } } | null>;
}

describe("page capabilities", () => {
  it("is cross-origin isolated, so SharedArrayBuffer exists", () => {
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe("function");
    const shared = new Int32Array(new SharedArrayBuffer(8));
    expect(Atomics.add(shared, 0, 5)).toBe(0);
    expect(shared[0]).toBe(5);
  });

  it("shares a SharedArrayBuffer with a worker (Atomics across threads)", async () => {
    const code = `onmessage = (e) => { const a = new Int32Array(e.data); Atomics.add(a, 0, 41); Atomics.notify(a, 0); postMessage("done"); };`;
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    const worker = new Worker(url);
    try {
      const shared = new Int32Array(new SharedArrayBuffer(4));
      shared[0] = 1;
      const done = new Promise((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
      worker.postMessage(shared.buffer);
      expect(await done).toBe("done");
      expect(Atomics.load(shared, 0)).toBe(42);
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });

  it("has WebGL2", () => {
    const gl = document.createElement("canvas").getContext("webgl2");
    expect(gl).not.toBeNull();
    console.info(`WebGL2: ${gl!.getParameter(gl!.VERSION)}; renderer ${gl!.getParameter(gl!.RENDERER)}`);
  });

  it("has a WebGPU adapter", async () => {
    const gpu = (navigator as unknown as { gpu?: Gpu }).gpu;
    expect(gpu).toBeDefined();
    const adapter = await gpu!.requestAdapter();
    expect(adapter).not.toBeNull();
    const info = adapter!.info;
    console.info(`WebGPU adapter: ${info.vendor} ${info.architecture} ${info.description}; maxStorageBufferBindingSize ${adapter!.limits.maxStorageBufferBindingSize}`);
  });
});
