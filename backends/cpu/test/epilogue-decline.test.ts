/**
 * An epilogue whose tail has no WebAssembly form (a float64 exp) is declined before the head's
 * kernel runs, so the head runs once (apart, through core) and the result equals eager.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import "@eager/backend-cpu";

describe("cpu epilogue without a wasm form for its tail", () => {
  it("declines before running the head: the head's kernel runs once per call", async () => {
    await tf.ready("cpu");
    const f = (x: tf.Tensor) => tf.exp(tf.sum(x, 1));
    const x = tf.withDevice("cpu", () => tf.tensor([[0.5, -1, 2], [1, 1, -3]], [2, 3], "float64"));
    const g = tf.compile(f);
    g(x).dispose();
    expect(g.concrete(x).kernels).toEqual([{ ops: ["sum", "exp"], device: "cpu", fused: false, head: "sum" }]);
    const kernels = getBackend("cpu").kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const spy = vi.spyOn(kernels, "sum");
    try {
      const y = g(x);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(Array.from(y.dataSync())).toEqual(Array.from(f(x).dataSync()));
    } finally {
      spy.mockRestore();
    }
  });
});
