/**
 * A compiled program's kernels make their tensors outside tidy scopes and the finalizer: the run
 * frees each at its last use and registers only what it returns, as an op would (in the caller's
 * tidy scope, or with the finalizer when there is none). Nothing else changes for the caller.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { engine } from "../src/engine/engine.js";
import { currentFrame } from "../src/engine/context.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Many kernels, most of them intermediates, with two results. */
const body = (x: tf.Tensor) => {
  let h = x;
  for (let i = 0; i < 12; i++) h = tf.reshape(tf.tanh(tf.matmul(tf.reshape(h, [2, 3]), tf.ones([3, 3]))), [6]);
  return [tf.sum(h), tf.concat([h, x], 0)];
};

describe("compile: the tensors of a run", () => {
  it("inside tidy: only the results join the scope; the scope frees them unless returned", () => {
    const f = tf.compile(body);
    const x = tf.tensor([1, 2, 3, 4, 5, 6]).mul(0.1);
    tf.tidy(() => f(x)).forEach((t) => t.dispose()); // trace outside the count
    const before = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      const [a, b] = f(x) as tf.Tensor[];
      expect(tf.memory().numTensors - before).toBe(2);
      expect([...currentFrame().tidy!.tracked]).toEqual([a, b]);
      return a!;
    });
    expect(kept.isDisposed).toBe(false);
    expect(tf.memory().numTensors - before).toBe(1);
    const want = tf.tidy(() => (body(x)[0]!).dataSync()[0]!);
    expect(kept.dataSync()[0]).toBeCloseTo(want, 5);
    kept.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("outside tidy: only the results wait for the finalizer, and it frees them once collected", async () => {
    const f = tf.compile(body);
    const x = tf.tensor([1, 2, 3, 4, 5, 6]).mul(0.1);
    f(x).forEach((t) => t.dispose());
    // Let earlier tests' garbage go first, so the count below moves only with this test's tensors.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    const before = tf.memory().numTensors;
    expect(engine.nursery.length).toBe(0);
    (() => {
      const outs = f(x) as tf.Tensor[];
      expect(outs.map((t) => t._box !== null)).toEqual([true, true]);
      // Dozens of kernels ran; only the two results were handed to the finalizer.
      expect(engine.nursery).toHaveLength(2);
      expect(tf.memory().numTensors - before).toBe(2);
    })();
    for (let i = 0; i < 20 && tf.memory().numTensors > before; i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("programs run inside a run (whileLoop bodies) free their tensors; the outer results are registered as usual", () => {
    // whileLoop bodies run as programs inside the outer program's run.
    const f = tf.compile((n: tf.Tensor, x: tf.Tensor) => tf.whileLoop((i) => i.less(n), (i, acc) => [i.add(1), acc.mul(2)], [tf.scalar(0), x])[1]!);
    const n = tf.scalar(3);
    const x = tf.tensor([1, 2]);
    f(n, x).dispose();
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => f(n, x)) as tf.Tensor;
    expect(y.arraySync()).toEqual([8, 16]);
    expect(tf.memory().numTensors - before).toBe(1);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const z = f(n, x) as tf.Tensor;
    expect(z._box).not.toBeNull();
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("under the profiler, every kernel is still seen and the run's tensors are tracked as before", async () => {
    const f = tf.compile(body);
    const x = tf.tensor([1, 2, 3, 4, 5, 6]).mul(0.1);
    const plain = tf.tidy(() => (f(x) as tf.Tensor[])[0]!.dataSync()[0]!);
    const kernels = f.concrete(x).kernels.length;
    const before = tf.memory().numTensors;
    const report = await tf.profile(() => tf.tidy(() => (f(x) as tf.Tensor[])[0]!.dataSync()[0]!));
    expect(tf.memory().numTensors).toBe(before);
    expect(report.result).toBe(plain);
    expect(report.ops.filter((o) => o.depth === 0).length).toBeGreaterThanOrEqual(kernels);
  });

  it("a leak check around compiled calls finds nothing", () => {
    const f = tf.compile(body);
    const x = tf.tensor([1, 2, 3, 4, 5, 6]).mul(0.1);
    f(x).forEach((t) => t.dispose());
    const leaks = tf.checkLeaks(() => {
      for (let i = 0; i < 3; i++) f(x).forEach((t) => t.dispose());
    });
    expect(leaks.leaked).toBe(0);
  });
});
