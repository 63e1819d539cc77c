/**
 * A `null` dimension served by one trace: sizes linear in it are recomputed per size (after one
 * probe trace), other uses fall back to a trace per size; the probe leaves no host state changed.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { MLP } from "../../examples/src/mnist/models.js";

const sig = { inputSignature: [{ shape: [null, 784] }, { shape: [null] }] };

function batch(n: number, seed: number): [tf.Tensor, tf.Tensor] {
  const x = tf.randomUniform([n, 784], 0, 1, "float32", seed);
  const y = tf.tensor(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10), [n], "int32");
  return [x, y];
}

function trainer() {
  const model = new MLP(3);
  const opt = new tf.train.AdamOptimizer({ learningRate: 0.01 });
  const body = (x: tf.Tensor, y: tf.Tensor) => {
    const loss = () => tf.losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x, { training: true }) });
    const [l, grads] = tf.implicitValueAndGradients(loss)();
    opt.applyGradients(grads);
    return l;
  };
  return { model, opt, body };
}

describe("compile with a null batch dimension", () => {
  it("an MLP Adam step traces once for batches 8, 8, 5, 3, 8 and matches eager", () => {
    const sizes = [8, 8, 5, 3, 8];
    const data = sizes.map((n, i) => batch(n, i + 1));
    const eager = trainer();
    const compiled = trainer();
    const step = tf.compile(compiled.body, sig);
    tf.setRandomSeed(5);
    const eagerLosses = data.map(([x, y]) => tf.tidy(() => eager.body(x, y).item() as number));
    const eagerDraw = tf.randomUniform([3]).arraySync();
    const eagerVars = eager.model.trainableVariables.length;
    tf.setRandomSeed(5);
    const compiledLosses: number[] = [];
    let before = 0;
    data.forEach(([x, y], i) => {
      if (i === 4) before = tf.memory().numTensors;
      const l = step(x, y);
      compiledLosses.push(l.item() as number);
      l.dispose();
    });
    expect(tf.memory().numTensors).toBe(before); // a size seen before: nothing new held
    expect(step.traceCount).toBe(1);
    expect(step.probeCount).toBe(1);
    expect(step.checkCount).toBe(2); // sizes 5 and 3, once each
    compiledLosses.forEach((v, i) => expect(Math.abs(v - eagerLosses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eagerLosses[i]!)));
    expect(compiled.opt.iterations).toBe(eager.opt.iterations);
    expect(compiled.opt.iterations).toBe(5);
    expect(tf.randomUniform([3]).arraySync()).toEqual(eagerDraw);
    expect(compiled.model.trainableVariables.length).toBe(eagerVars);
    const held = tf.memory().numTensors;
    step.dispose();
    expect(tf.memory().numTensors).toBeLessThan(held);
  });

  it("the probe runs no optimizer step, takes no random stream and makes no variable", () => {
    const t = trainer();
    const [x, y] = batch(6, 9);
    tf.setRandomSeed(17);
    t.model.apply(x); // built eagerly: the trace reads these variables
    const vars = t.model.variables.length;
    const step = tf.compile((a: tf.Tensor, b: tf.Tensor) => {
      const l = t.body(a, b);
      return tf.add(l, tf.mul(tf.randomUniform([2]).sum(), 0));
    }, sig);
    step(x, y).dispose();
    expect(step.probeCount).toBe(1);
    expect(t.opt.iterations).toBe(1);
    expect(t.model.variables.length).toBe(vars);
    const after = tf.randomUniform([4]).arraySync();
    tf.setRandomSeed(17);
    tf.randomUniform([2]).dispose(); // the one draw of the step
    expect(tf.randomUniform([4]).arraySync()).toEqual(after);
    tf.setRandomSeed(23);
    tf.randomUniform([2]).dispose(); // the one draw of the next step
    const expected = tf.randomUniform([4]).arraySync();
    tf.setRandomSeed(23);
    step(...batch(4, 2)).dispose(); // a new size: checked, without an optimizer step or a draw of its own
    expect([step.traceCount, step.checkCount]).toEqual([1, 1]);
    expect(t.opt.iterations).toBe(2);
    expect(tf.randomUniform([4]).arraySync()).toEqual(expected);
  });

  it("a reshape to [batch, ...] and a count literal follow the size", () => {
    const g = tf.compile((x: tf.Tensor) => tf.div(tf.reshape(x, [x.shape[0]!, 2, 2]).sum([1, 2]), x.shape[0]!), { inputSignature: [{ shape: [null, 4] }] });
    const x = [3, 5, 12].map((n) => tf.ones([n, 4]));
    const before = tf.memory().numTensors;
    for (const i of [0, 1, 2, 0]) {
      const y = g(x[i]!);
      expect(y.arraySync()).toEqual(Array(x[i]!.shape[0]).fill(Math.fround(4 / x[i]!.shape[0]!)));
      y.dispose();
    }
    expect(g.traceCount).toBe(1);
    expect(g.probeCount).toBe(1);
    expect(g.concrete(x[2]!).argSpecs[0]!.shape).toEqual([12, 4]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before); // the programs of every size and their literals are freed
  });

  it("a probe is not a trace: maxTraces does not warn because of it", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const g = tf.compile((x: tf.Tensor) => tf.mean(tf.reshape(x, [x.shape[0]!, 1])), { inputSignature: [{ shape: [null] }], maxTraces: 1 });
    for (const n of [4, 6, 9]) expect(g(tf.ones([n])).item()).toBe(1);
    expect([g.traceCount, g.probeCount]).toEqual([1, 1]);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("a size used nonlinearly is not generalized: each size is traced", () => {
    const sq = tf.compile((x: tf.Tensor) => tf.div(x, x.shape[0]! * x.shape[0]!), { inputSignature: [{ shape: [null] }] });
    for (const n of [3, 5, 3]) expect(sq(tf.ones([n])).arraySync()).toEqual(Array(n).fill(Math.fround(1 / (n * n))));
    expect(sq.traceCount).toBe(2);
    const half = tf.compile((x: tf.Tensor) => tf.slice(x, [0], [Math.floor(x.shape[0]! / 2)]), { inputSignature: [{ shape: [null] }] });
    expect(half(tf.range(0, 7)).arraySync()).toEqual([0, 1, 2]);
    expect(half(tf.range(0, 10)).arraySync()).toEqual([0, 1, 2, 3, 4]);
    expect(half.traceCount).toBe(2);
  });

  it("a random op whose shape uses the null dimension falls back and stays correct", () => {
    const g = tf.compile((x: tf.Tensor) => tf.add(x.reshape([x.shape[0]!, 1]), tf.randomUniform([x.shape[0]!, 1])), { inputSignature: [{ shape: [null] }] });
    tf.setRandomSeed(3);
    const eager = [4, 6].map((n) => tf.add(tf.zeros([n]).reshape([n, 1]), tf.randomUniform([n, 1])).arraySync());
    tf.setRandomSeed(3);
    const compiled = [4, 6].map((n) => g(tf.zeros([n])).arraySync());
    expect(compiled).toEqual(eager);
    expect(g.traceCount).toBe(2);
  });
});
