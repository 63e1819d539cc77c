/** Optimizers: each update rule against closed-form steps; schedules, clipping, slot placement, no leaks. */
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { train } from "@eager/core";
import { createReferenceBackend, registerBackend, removeBackend } from "@eager/core/backend";
import { expectClose, values } from "./helpers/gradcheck.js";

const v64 = (xs: number[]) => tf.variable(tf.tensor(xs, undefined, "float64"));
const g64 = (xs: number[]) => tf.tensor(xs, undefined, "float64");

/** Apply the gradients `gs` (one list per step) to a fresh variable starting at w0. */
function run(opt: train.Optimizer, w0: number[], gs: number[][]): number[] {
  const w = v64(w0);
  for (const g of gs) opt.applyGradients([[g64(g), w]]);
  return values(w);
}

describe("optimizer update rules match closed-form steps", () => {
  it("gradient descent: w -= lr g", () => {
    expectClose(run(new train.GradientDescentOptimizer({ learningRate: 0.1 }), [1, 2], [[0.5, -1]]), [0.95, 2.1], 1e-12);
  });
  it("momentum and Nesterov momentum", () => {
    // a1 = 1, w = 1 - 0.1 = 0.9; a2 = 0.9 + 1 = 1.9, w = 0.9 - 0.19 = 0.71
    expectClose(run(new train.MomentumOptimizer({ learningRate: 0.1, momentum: 0.9 }), [1], [[1], [1]]), [0.71], 1e-12);
    // Nesterov: w -= 0.1 (1 + 0.9 * 1) = 0.81; then a = 1.9, w -= 0.1 (1 + 1.71) -> 0.539
    expectClose(run(new train.MomentumOptimizer({ learningRate: 0.1, momentum: 0.9, nesterov: true }), [1], [[1], [1]]), [0.539], 1e-12);
  });
  it("Adam: bias-corrected moments", () => {
    const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    const gs = [[0.5, -2], [1, 0.25], [-0.3, 0.1]];
    const w = [1, -1];
    const m = [0, 0], v = [0, 0];
    gs.forEach((g, k) => {
      const t = k + 1;
      for (let i = 0; i < 2; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        const mh = m[i]! / (1 - b1 ** t), vh = v[i]! / (1 - b2 ** t);
        w[i] = w[i]! - (lr * mh) / (Math.sqrt(vh) + eps / Math.sqrt(1 - b2 ** t));
      }
    });
    const opt = new train.AdamOptimizer({ learningRate: lr });
    expectClose(run(opt, [1, -1], gs), w, 1e-12);
    expect(opt.iterations).toBe(3);
    // The first step moves each weight by lr against the gradient's sign.
    expectClose(run(new train.AdamOptimizer({ learningRate: 0.01 }), [0, 0], [[3, -0.2]]), [-0.01, 0.01], 1e-6);
  });
  it("AdamW decays weights apart from the gradient", () => {
    expectClose(run(new train.AdamW({ learningRate: 0.1, weightDecay: 0.5 }), [2], [[0]]), [2 - 0.1 * 0.5 * 2], 1e-12);
  });
  it("RMSProp, plain, with momentum and centered", () => {
    const ms = 0.1; // 0.9 * 0 + 0.1 * 1^2
    expectClose(run(new train.RMSPropOptimizer({ learningRate: 0.01 }), [1], [[1]]), [1 - 0.01 / Math.sqrt(ms + 1e-7)], 1e-12);
    // two steps with momentum 0.5: mom1 = s1, mom2 = 0.5 s1 + s2
    const s1 = 0.01 / Math.sqrt(0.1 + 1e-7);
    const s2 = 0.01 / Math.sqrt(0.19 + 1e-7);
    expectClose(run(new train.RMSPropOptimizer({ learningRate: 0.01, momentum: 0.5 }), [1], [[1], [1]]), [1 - s1 - (0.5 * s1 + s2)], 1e-12);
    // centered: mg = 0.1, denominator 0.1 - 0.01 = 0.09
    expectClose(run(new train.RMSPropOptimizer({ learningRate: 0.01, centered: true }), [1], [[1]]), [1 - 0.01 / Math.sqrt(0.09 + 1e-7)], 1e-12);
  });
  it("Adagrad accumulates squared gradients from 0.1", () => {
    const a1 = 0.1 + 4, a2 = a1 + 1;
    const w = 1 - (0.5 * 2) / (Math.sqrt(a1) + 1e-7) - (0.5 * 1) / (Math.sqrt(a2) + 1e-7);
    expectClose(run(new train.AdagradOptimizer({ learningRate: 0.5 }), [1], [[2], [1]]), [w], 1e-12);
  });
  it("rejects bad options and mismatched gradients", () => {
    expect(() => new train.GradientDescentOptimizer({ learningRate: -1 })).toThrow(tf.InvalidArgumentError);
    expect(() => new train.MomentumOptimizer({ learningRate: 0.1, momentum: 1 })).toThrow(tf.InvalidArgumentError);
    expect(() => new train.AdamOptimizer({ learningRate: 0.1, clipNorm: 0 })).toThrow(tf.InvalidArgumentError);
    const opt = new train.GradientDescentOptimizer({ learningRate: 0.1 });
    expect(() => opt.applyGradients([[g64([1, 2]), v64([1])]])).toThrow(tf.ShapeError);
    expect(() => opt.applyGradients("x" as never)).toThrow(tf.InvalidArgumentError);
    const w = v64([1]);
    opt.applyGradients([[null, w]]);
    expect(values(w)).toEqual([1]);
  });
});

describe("schedules and clipping", () => {
  it("exponential, piecewise constant and cosine schedules", () => {
    const e = train.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(e(0)).toBeCloseTo(0.1, 12);
    expect(e(10)).toBeCloseTo(0.05, 12);
    expect(e(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 12);
    expect(train.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true })(15)).toBeCloseTo(0.05, 12);
    const p = train.piecewiseConstant({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
    expect([p(0), p(100), p(101), p(200), p(201)]).toEqual([1, 1, 0.5, 0.5, 0.1]);
    expect(() => train.piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(tf.InvalidArgumentError);
    const c = train.cosineDecay({ initialLearningRate: 1, decaySteps: 10, alpha: 0.1 });
    expect(c(0)).toBeCloseTo(1, 12);
    expect(c(5)).toBeCloseTo(0.55, 12);
    expect(c(10)).toBeCloseTo(0.1, 12);
    expect(c(50)).toBeCloseTo(0.1, 12);
  });
  it("an optimizer reads its schedule at each step", () => {
    const opt = new train.GradientDescentOptimizer({ learningRate: train.piecewiseConstant({ boundaries: [0], values: [1, 0.1] }) });
    expectClose(run(opt, [0], [[1], [1], [1]]), [-1 - 0.1 - 0.1], 1e-12);
  });
  it("clipByGlobalNorm scales all tensors by clipNorm / max(norm, clipNorm)", () => {
    const [[a, b, n], norm] = train.clipByGlobalNorm([tf.tensor([3, 0]), tf.tensor([[4]]), null], 1);
    expectClose(a!.dataSync(), [0.6, 0]);
    expectClose(b!.dataSync(), [0.8]);
    expect(n).toBeNull();
    expectClose(norm.dataSync(), [5]);
    const [[c]] = train.clipByGlobalNorm([tf.tensor([3, 4])], 10);
    expectClose(c!.dataSync(), [3, 4]);
    expect(() => train.clipByGlobalNorm([tf.tensor([1])], 0)).toThrow(tf.InvalidArgumentError);
  });
  it("the clipNorm option clips before the update", () => {
    const opt = new train.GradientDescentOptimizer({ learningRate: 1, clipNorm: 1 });
    const w1 = v64([0, 0]);
    const w2 = v64([0]);
    opt.applyGradients([[g64([3, 0]), w1], [g64([4]), w2]]);
    expectClose(w1.dataSync(), [-0.6, 0], 1e-12);
    expectClose(w2.dataSync(), [-0.8], 1e-12);
  });
});

describe("minimize, slots and memory", () => {
  afterAll(() => removeBackend("second"));
  it("minimize applies implicit gradients and returns the loss", () => {
    const w = v64([3]);
    const opt = new train.GradientDescentOptimizer({ learningRate: 0.25 });
    const loss = opt.minimize(() => tf.square(w), true);
    expect(loss.item()).toBe(9);
    expectClose(w.dataSync(), [3 - 0.25 * 6], 1e-12);
    const other = v64([1]);
    expect(opt.minimize(() => tf.add(tf.square(w), tf.square(other)), false, [other])).toBeNull();
    expectClose(w.dataSync(), [1.5], 1e-12);
    expectClose(other.dataSync(), [0.5], 1e-12);
  });
  it("creates slots on the variable's device, named after the variable", () => {
    registerBackend("second", () => createReferenceBackend("second"), { priority: -5 });
    const w = tf.withDevice("second", () => tf.variable(tf.tensor([1, 2]), { name: "w" }));
    const opt = new train.AdamOptimizer({ learningRate: 0.1 });
    opt.applyGradients([[tf.tensor([1, 1]), w]]);
    const m = opt.getSlot(w, "m")!;
    expect(m.device).toBe("second");
    expect(m.name).toBe("w/m");
    expect(m.trainable).toBe(false);
    expect(opt.slotEntries().map(([, n]) => n)).toEqual(["m", "v"]);
  });
  it("no optimizer leaks tensors across steps", () => {
    const makers = [
      () => new train.GradientDescentOptimizer({ learningRate: 0.1, clipNorm: 1 }),
      () => new train.MomentumOptimizer({ learningRate: 0.1, nesterov: true }),
      () => new train.AdamOptimizer({ learningRate: 0.1 }),
      () => new train.AdamW({ learningRate: 0.1 }),
      () => new train.RMSPropOptimizer({ learningRate: 0.1, momentum: 0.5, centered: true }),
      () => new train.AdagradOptimizer({ learningRate: 0.1 }),
    ];
    for (const make of makers) {
      const opt = make();
      const w = tf.variable(tf.tensor([1, -2, 3]));
      const step = () => opt.minimize(() => tf.sum(tf.square(w)));
      step();
      const before = tf.memory();
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors, opt.constructor.name).toBe(before.numTensors);
      expect(tf.memory().numBytes, opt.constructor.name).toBe(before.numBytes);
    }
  });
});
