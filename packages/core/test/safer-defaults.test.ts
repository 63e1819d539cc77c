/**
 * Safer defaults: metrics free their tensors, customGradient rejects variable reads and
 * wrong-shape gradients, the slow-backend warning fires once, and printing/JSON of tensors
 * and variables stays small and names variables.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { metrics } from "@eager/core";

describe("metrics dispose", () => {
  it("dispose() and using free the running total", () => {
    const before = tf.memory().numTensors;
    const m = new metrics.Mean();
    m.update([1, 2, 3]);
    expect(m.result()).toBe(2);
    expect(tf.memory().numTensors).toBe(before + 1);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    {
      using acc = new metrics.Accuracy();
      acc.update([1], [[0, 1]]);
      expect(acc.result()).toBe(1);
      expect(tf.memory().numTensors).toBe(before + 1);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("customGradient", () => {
  it("reading a trainable variable inside f is an error naming it and the fix", () => {
    const w = tf.variable(tf.tensor([2]), { name: "closure_w" });
    const f = tf.customGradient((x) => [x.mul(w), (dy) => dy.mul(w)]);
    expect(() => f([3])).toThrow(/customGradient: the function reads trainable variable "closure_w".*Pass it as an argument/);
    // Passing it as an argument is the fix: both gradients arrive.
    const g = tf.customGradient((x, v) => [x.mul(v), (dy) => [dy.mul(v), dy.mul(x)]]);
    const pairs = tf.implicitGradients(() => g([3], w).sum())();
    expect(pairs.map(([gr, v]) => [v.name, gr.dataSync()[0]])).toEqual([["closure_w", 3]]);
  });
  it("a wrong-shape gradient is a ShapeError naming customGradient, the input and both shapes", () => {
    const f = tf.customGradient((x) => [x.square(), (dy) => dy.sum()]);
    const run = () => tf.gradientsFunction((x) => f(x))([[1, 2, 3]]);
    expect(run).toThrow(tf.ShapeError);
    expect(run).toThrow(/customGradient: gradFn returned a gradient of shape \[\] for input 0 \(float32\[1,3\]\); it must have the input's shape \[1,3\]/);
  });
});

describe("slow-backend warning", () => {
  it("warns once, naming the package, when a heavy matmul runs on the only backend", async () => {
    const { slowBackendWarned } = await import("../src/api/slow-backend-warning.js");
    slowBackendWarned(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    tf.matmul(tf.ones([8, 8]), tf.ones([8, 8])).dispose(); // small: no warning
    expect(warn).not.toHaveBeenCalled();
    const a = tf.ones([64, 64]);
    tf.matmul(a, a).dispose();
    tf.matmul(a, a).dispose();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/reference.*import "@eager\/backend-cpu"/s);
    warn.mockRestore();
  });
  it("can be turned off", async () => {
    const { slowBackendWarned } = await import("../src/api/slow-backend-warning.js");
    slowBackendWarned(true);
    tf.setSlowBackendWarning(false);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const a = tf.ones([64, 64]);
    tf.matmul(a, a).dispose();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    tf.setSlowBackendWarning(true);
  });
});

describe("printing and JSON", () => {
  it("toJSON gives values when small and a summary when large, never internals", () => {
    expect(JSON.parse(JSON.stringify({ t: tf.tensor([[1, 2]]) }))).toEqual({ t: { dtype: "float32", shape: [1, 2], device: "reference", values: [[1, 2]] } });
    const big = tf.zeros([2000]);
    const j = JSON.parse(JSON.stringify(big));
    expect(j.values).toBeUndefined();
    expect(j.note).toMatch(/2000 elements/);
    expect(JSON.stringify(big).length).toBeLessThan(200);
    const d = tf.tensor([1]);
    d.dispose();
    expect(JSON.parse(JSON.stringify(d)).note).toBe("disposed");
  });
  it("item() is typed number for numeric dtypes and boolean for bool, where the dtype is known", () => {
    const f = tf.tensor(2.5) as tf.Tensor & { readonly dtype: "float32" };
    const n: number = f.item(); // a type error if item() were number | boolean here
    const b = tf.tensor(true) as tf.Tensor & { readonly dtype: "bool" };
    const yes: boolean = b.item();
    const unknown: number | boolean = tf.tensor(1).item();
    expect([n, yes, unknown]).toEqual([2.5, true, 1]);
  });
  it("variables print and describe with their name", () => {
    const v = tf.variable(tf.tensor([1, 2]), { name: "layer/kernel" });
    expect(v.describe()).toBe('float32[2] variable "layer/kernel"');
    expect(String(v)).toMatch(/^Variable "layer\/kernel": Tensor\(\[1, +2\], shape=\[2\], dtype=float32\)$/);
    expect(JSON.parse(JSON.stringify(v)).name).toBe("layer/kernel");
    v.dispose();
    expect(() => v.dataSync()).toThrow(/variable "layer\/kernel" was disposed/);
  });
});
