/** A whole training step compiles: its loss trace matches the eager step for every optimizer. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

const X = tf.randomNormal([16, 5], 0, 1, "float32", 7);
const Y = tf.randomNormal([16, 2], 0, 1, "float32", 8);
const W1 = tf.randomNormal([5, 8], 0, 0.5, "float32", 9);
const W2 = tf.randomNormal([8, 2], 0, 0.5, "float32", 10);

function model() {
  const w1 = tf.variable(W1, { name: "w1" });
  const b1 = tf.variable(tf.zeros([8]), { name: "b1" });
  const w2 = tf.variable(W2, { name: "w2" });
  const loss = () => tf.sub(tf.matmul(tf.tanh(tf.add(tf.matmul(X, w1), b1)), w2), Y).square().mean();
  return { loss, vars: [w1, b1, w2] };
}

const optimizers: [string, () => tf.train.Optimizer][] = [
  ["SGD", () => new tf.train.GradientDescentOptimizer({ learningRate: 0.05 })],
  ["Momentum", () => new tf.train.MomentumOptimizer({ learningRate: 0.05, momentum: 0.9 })],
  ["Adam", () => new tf.train.AdamOptimizer({ learningRate: 0.01 })],
  ["AdamW", () => new tf.train.AdamW({ learningRate: 0.01, weightDecay: 0.01 })],
  ["RMSProp", () => new tf.train.RMSPropOptimizer({ learningRate: 0.01 })],
  ["Adagrad", () => new tf.train.AdagradOptimizer({ learningRate: 0.1 })],
  ["SGD with a schedule", () => new tf.train.GradientDescentOptimizer({ learningRate: (step: number) => 0.1 / (1 + step) })],
];

describe("compiled training step", () => {
  for (const [name, make] of optimizers) {
    it(`${name}: 50 compiled steps give the eager loss trace within 1e-5`, () => {
      const eager = model();
      const eagerOpt = make();
      const compiled = model();
      const compiledOpt = make();
      const step = tf.compile(() => {
        const [loss, grads] = tf.implicitValueAndGradients(compiled.loss)();
        compiledOpt.applyGradients(grads);
        return loss;
      });
      for (let i = 0; i < 50; i++) {
        const e = tf.tidy(() => {
          const [loss, grads] = tf.implicitValueAndGradients(eager.loss)();
          eagerOpt.applyGradients(grads);
          return loss;
        });
        const c = step();
        const ev = e.item() as number;
        const cv = c.item() as number;
        expect(Math.abs(cv - ev)).toBeLessThanOrEqual(1e-5 * Math.abs(ev));
        e.dispose();
        c.dispose();
      }
      expect(step.traceCount).toBe(1);
      expect(compiledOpt.iterations).toBe(50);
      const before = tf.memory().numBytes;
      step().dispose();
      expect(tf.memory().numBytes).toBe(before);
    });
  }
});
