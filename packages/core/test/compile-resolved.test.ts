/**
 * A compiled program calls each op's kernel directly once it has run it through the
 * dispatcher; the result always equals eager, also when shapes, devices or dtypes change
 * between calls, and a failing kernel leaves nothing allocated.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, getBackend } from "@eager/core/backend";
import { opTable } from "../src/ops/table.js";

afterEach(() => vi.restoreAllMocks());

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("compile: ops resolved once", () => {
  it("repeated calls give eager's values and skip the shape rule", () => {
    const w = tf.tensor([[1, -2, 0.5], [3, 4, -1]]);
    const f = (x: tf.Tensor) => tf.sum(tf.matmul(tf.stridedSlice(x, [0, 0], [2, 2], [1, 1]), w), 0);
    const g = tf.compile(f);
    const x = tf.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const want = values(tf.tidy(() => f(x)));
    expect(values(g(x))).toEqual(want);
    const infer = vi.spyOn(opTable.matmul, "infer");
    for (let i = 0; i < 3; i++) expect(values(g(x))).toEqual(want);
    expect(infer).not.toHaveBeenCalled();
  });

  it("a dimension that varies between calls takes the dispatcher again, with the right shapes", () => {
    const w = tf.tensor([[1, 2], [3, 4], [5, 6]]);
    const f = (x: tf.Tensor) => tf.relu(tf.matmul(x, w));
    const g = tf.compile(f, { inputSignature: [{ shape: [null, 3], dtype: "float32" }] });
    for (const n of [2, 5, 3, 5]) {
      const x = tf.randomNormal([n, 3], 0, 1, "float32", n);
      const got = g(x);
      expect(got.shape).toEqual([n, 2]);
      expect(values(got)).toEqual(values(tf.tidy(() => f(x))));
    }
  });

  it("follows the device the inputs are on from call to call", () => {
    tf.registerBackend("resolvedDevice", () => createReferenceBackend("resolvedDevice"), { priority: -5 });
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.add(x, y), tf.transpose(x));
    const g = tf.compile(f);
    const [x, y] = [tf.tensor([[1, 2], [3, 4]]), tf.tensor([[0.5, 1], [2, 3]])];
    const want = values(tf.tidy(() => f(x!, y!)));
    for (const device of ["reference", "resolvedDevice", "reference", "resolvedDevice"]) {
      const got = g(x!.to(device), y!.to(device));
      expect(got.device).toBe(device);
      expect(values(got)).toEqual(want);
    }
  });

  it("an op whose inputs were promoted keeps running through the dispatcher", () => {
    const f = (i: tf.Tensor, x: tf.Tensor) => tf.matmul(tf.add(i, x), x);
    const g = tf.compile(f);
    const i = tf.tensor([[1, 2], [3, 4]], undefined, "int32");
    const x = tf.tensor([[0.5, 0.25], [1, 2]]);
    const want = values(tf.tidy(() => f(i, x)));
    for (let k = 0; k < 3; k++) expect(values(g(i, x))).toEqual(want);
  });

  it("a kernel that throws on a later call leaves no tensor behind", () => {
    // The matmul's value goes to a transpose, so no elementwise tail joins the matmul's kernel.
    const f = (x: tf.Tensor) => tf.exp(tf.transpose(tf.matmul(x, x)));
    const g = tf.compile(f);
    const x = tf.tensor([[1, 0], [0, 1]]);
    g(x).dispose();
    const before = tf.memory();
    const kernels = getBackend(x.device).kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    vi.spyOn(kernels, "matmul").mockImplementation(() => {
      throw new Error("kernel failed");
    });
    expect(() => g(x)).toThrow(/kernel failed/);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
