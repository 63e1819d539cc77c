/**
 * A synchronous training loop that disposes nothing fails with a MemoryLimitError that says
 * what leaks and how to fix it, once the live-buffer limit is reached, instead of growing
 * until the device runs out of memory. The same loop with tidy runs on.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers, losses, train } from "@eager/core";

afterEach(() => {
  tf.setMemoryLimits({ maxLiveBuffers: 200_000 });
});

function setup() {
  const model = new layers.Sequential([new layers.Dense({ units: 8, activation: "relu" }), new layers.Dense(2)]);
  const opt = new train.MomentumOptimizer({ learningRate: 0.01, momentum: 0.9 });
  const x = tf.ones([4, 3]);
  const y = tf.zeros([4, 2]);
  const loss = () => losses.meanSquaredError({ labels: y, predictions: model.apply(x) });
  // The careless step: the loss and the gradients are never disposed.
  const step = () => {
    const [, grads] = tf.implicitValueAndGradients(loss)();
    opt.applyGradients(grads);
  };
  return { model, opt, x, y, step };
}

describe("careless loops", () => {
  it("a loop that never disposes fails clearly at the limit", () => {
    expect(tf.getMemoryLimits().maxLiveBuffers).toBe(200_000);
    const { step, model, opt, x, y } = setup();
    const base = tf.memory().devices["reference"]?.numBuffers ?? 0;
    tf.setMemoryLimits({ maxLiveBuffers: base + 2000 });
    let steps = 0;
    let error: unknown = null;
    // tidy only so this test cleans up after itself: the loop body disposes nothing.
    tf.tidy(() => {
      try {
        for (; steps < 100_000; steps++) step();
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(tf.MemoryLimitError);
    expect((error as Error).message).toMatch(/^\d+ tensor buffers are alive, the limit \(setMemoryLimits\(\{ maxLiveBuffers \}\)\) is \d+, and \w+ asked for one more\. Tensors created in a loop and never disposed leak: run each step inside tidy/);
    if (process.env["EAGER_VERBOSE"]) console.log(`careless loop stopped after ${steps} steps`);
    expect(steps).toBeGreaterThan(100);
    expect(steps).toBeLessThan(1000);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });
  it("the same loop with tidy runs past the limit's worth of tensors", () => {
    const { step, model, opt, x, y } = setup();
    const base = tf.memory().devices["reference"]?.numBuffers ?? 0;
    tf.setMemoryLimits({ maxLiveBuffers: base + 200 });
    for (let i = 0; i < 500; i++) tf.tidy(() => void step());
    expect(opt.iterations).toBe(500);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });
  it("rejects invalid limits", () => {
    expect(() => tf.setMemoryLimits({ maxLiveBuffers: 0 })).toThrow(tf.MemoryLimitError);
    expect(() => tf.setMemoryLimits({ maxLiveBuffers: 1.5 })).toThrow(/integer > 0 or null/);
    const before = tf.setMemoryLimits({ maxLiveBuffers: null });
    expect(tf.getMemoryLimits().maxLiveBuffers).toBe(null);
    tf.setMemoryLimits(before);
  });
});
