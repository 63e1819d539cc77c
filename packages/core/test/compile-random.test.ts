/**
 * Random ops under compile: each call draws fresh values from the generator eager code uses, so a
 * seeded compiled function draws the eager sequence; fixed seeds stay fixed; Dropout masks change
 * per compiled step; gradients see the forward's draws.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers } from "@eager/core";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync() as Float32Array);

describe("random ops in compiled functions", () => {
  it("a seeded compiled function draws the same sequence as the eager one, fresh at every call", () => {
    const f = (x: tf.Tensor) => {
      const a = tf.randomNormal([3]);
      const b = tf.randomUniform([2, 3], -1, 1);
      const c = tf.truncatedNormal([3], 0, 2);
      const d = tf.randomUniform([3], 0, 10, "int32");
      return [x.add(a).mul(b).add(c), d];
    };
    const x = tf.tensor([1, 2, 3]);
    tf.setRandomSeed(11);
    const eager = [0, 1, 2].map(() => f(x).map(values));
    const g = tf.compile(f);
    tf.setRandomSeed(11);
    const compiled = [0, 1, 2].map(() => g(x).map(values));
    expect(compiled).toEqual(eager);
    expect(g.traceCount).toBe(1);
    expect(compiled[1]![0]).not.toEqual(compiled[0]![0]);
    expect(compiled[2]![1]).not.toEqual(compiled[1]![1]);
    const p = g.concrete(x);
    expect(p.ops).toEqual(expect.arrayContaining(["randomNormal", "randomUniform", "truncatedNormal"]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) for (const t of g(x)) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a draw nothing reads still advances the generator, as eagerly", () => {
    const f = (x: tf.Tensor) => {
      tf.randomNormal([4]);
      return x.add(tf.randomNormal([2]));
    };
    const x = tf.zeros([2]);
    tf.setRandomSeed(3);
    const eager = [values(f(x)), values(f(x))];
    const g = tf.compile(f);
    tf.setRandomSeed(3);
    expect([values(g(x)), values(g(x))]).toEqual(eager);
  });

  it("an explicit seed gives the same values at every call, as eagerly", () => {
    const f = (x: tf.Tensor) => x.add(tf.randomNormal([3], 0, 1, "float32", 42));
    const g = tf.compile(f);
    const x = tf.zeros([3]);
    const first = values(g(x));
    expect(values(g(x))).toEqual(first);
    expect(first).toEqual(values(f(x)));
  });

  it("random draws inside scan and cond bodies draw per step and per taken branch, as eagerly", () => {
    const f = (xs: tf.Tensor, p: tf.Tensor) => {
      const [h] = tf.scan((c: tf.Tensor, x: tf.Tensor) => c.add(x).add(tf.randomUniform([2])), tf.zeros([2]), xs);
      return tf.cond(p, () => h.mul(tf.randomNormal([2])), () => h);
    };
    const xs = tf.ones([3, 2]);
    tf.setRandomSeed(5);
    const eager = [values(f(xs, tf.scalar(1))), values(f(xs, tf.scalar(0))), values(f(xs, tf.scalar(1)))];
    const g = tf.compile(f);
    tf.setRandomSeed(5);
    expect([values(g(xs, tf.scalar(1))), values(g(xs, tf.scalar(0))), values(g(xs, tf.scalar(1)))]).toEqual(eager);
  });

  it("draws before, inside and after a scan body follow the eager order from the first call", () => {
    const f = (xs: tf.Tensor) => {
      const a = tf.randomNormal([2]);
      const [h] = tf.scan((c: tf.Tensor, x: tf.Tensor) => c.add(x.mul(tf.randomUniform([2]))), a, xs);
      return h.add(tf.randomNormal([2]));
    };
    const xs = tf.ones([3, 2]);
    tf.setRandomSeed(77);
    const eager = [0, 1].map(() => values(f(xs)));
    const g = tf.compile(f);
    tf.setRandomSeed(77);
    expect([0, 1].map(() => values(g(xs)))).toEqual(eager);
  });

  it("a compiled training step gives Dropout a new mask at every step, and the eager losses (lazily built model)", () => {
    const x = tf.randomNormal([8, 6], 0, 1, "float32", 1);
    const y = tf.randomNormal([8, 2], 0, 1, "float32", 2);
    const run = (compiled: boolean) => {
      tf.setRandomSeed(9);
      const model = new layers.Sequential([new layers.Dense({ units: 16, activation: "relu" }), new layers.Dropout({ rate: 0.5 }), new layers.Dense(2)]);
      const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.05 });
      const masks: number[][] = [];
      const body = () => {
        const [loss, grads] = tf.implicitValueAndGradients(() => model.apply(x, { training: true }).sub(y).square().mean())();
        opt.applyGradients(grads);
        return loss;
      };
      const step = compiled ? tf.compile(body) : () => tf.tidy(body);
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const l = step();
        losses.push(l.item() as number);
        l.dispose();
      }
      // The mask the model's Dropout draws now, one more compiled or eager call.
      const probe = compiled ? tf.compile((t: tf.Tensor) => (model.layers[1] as layers.Dropout).apply(t, { training: true })) : (t: tf.Tensor) => (model.layers[1] as layers.Dropout).apply(t, { training: true });
      for (let i = 0; i < 3; i++) masks.push(values(probe(tf.ones([4, 16]))).map((v) => (v === 0 ? 0 : 1)));
      return { losses, masks, traces: compiled ? (step as tf.CompiledFunction<() => tf.Tensor>).traceCount : 0 };
    };
    const eager = run(false);
    const compiled = run(true);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eager.losses[i]!)));
    expect(compiled.traces).toBe(1);
    expect(compiled.masks).toEqual(eager.masks);
    expect(compiled.masks[1]).not.toEqual(compiled.masks[0]);
    expect(compiled.masks[2]).not.toEqual(compiled.masks[1]);
  });

  it("a draw shaped by a null dimension serves each size it is called with", () => {
    const drop = new layers.Dropout({ rate: 0.5 });
    const g = tf.compile((x: tf.Tensor) => drop.apply(x, { training: true }), { inputSignature: [{ shape: [null, 4] }] });
    for (const n of [2, 3, 2]) {
      const y = g(tf.ones([n, 4]));
      expect(y.shape).toEqual([n, 4]);
      expect(values(y).every((v) => v === 0 || v === 2)).toBe(true);
    }
  });

  it("a seeded Dropout layer follows its own seed sequence per compiled call", () => {
    const make = () => new layers.Dropout({ rate: 0.5, seed: 17 });
    const eagerLayer = make();
    const eager = [0, 1, 2].map(() => values(eagerLayer.apply(tf.ones([10]), { training: true })));
    const compiledLayer = make();
    const g = tf.compile((t: tf.Tensor) => compiledLayer.apply(t, { training: true }));
    const compiled = [0, 1, 2].map(() => values(g(tf.ones([10]))));
    expect(compiled).toEqual(eager);
    expect(compiled[1]).not.toEqual(compiled[0]);
  });

  it("the gradient of a compiled function that draws uses the forward's draw", () => {
    const g = tf.compile((x: tf.Tensor) => x.mul(tf.randomUniform([64])).sum());
    const x = tf.ones([64]);
    const seen: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const [y, [dx]] = tf.valueAndGradientsFunction((t: tf.Tensor) => g(t))(x);
      // y = sum(u) and dy/dx = u: the same draw.
      const u = values(dx!);
      expect(Math.abs((y.item() as number) - u.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4);
      seen.push(u);
    }
    expect(seen[1]).not.toEqual(seen[0]);
    // The backward put the generator back: the next eager draw is the one after the forward's.
    tf.setRandomSeed(4);
    tf.valueAndGradientsFunction((t: tf.Tensor) => g(t))(x);
    const next = values(tf.randomUniform([2]));
    tf.setRandomSeed(4);
    tf.randomUniform([64]);
    expect(values(tf.randomUniform([2]))).toEqual(next);
  });

  it("the gradient of a compiled scan whose body draws uses each step's forward draw", () => {
    const w = tf.variable(tf.tensor([1, 1, 1, 1]), { name: "scanDrawW" });
    const loss = () => tf.scan((c: tf.Tensor, x: tf.Tensor) => c.add(x.mul(w).mul(tf.randomUniform([4]))), tf.zeros([4]), tf.ones([3, 4]))[0].sum();
    const step = tf.compile(() => {
      const [l, grads] = tf.implicitValueAndGradients(loss)();
      return [l, grads[0]![0]];
    });
    for (let i = 0; i < 2; i++) {
      const [l, g] = step() as [tf.Tensor, tf.Tensor];
      // loss = sum_t sum(w * u_t), so dloss/dw = sum_t u_t, whose sum is the loss (w = 1).
      expect(Math.abs(values(g).reduce((a, b) => a + b, 0) - (l.item() as number))).toBeLessThan(1e-5);
    }
    // The same values as the eager step for the same seed.
    tf.setRandomSeed(8);
    const [le, [[ge]]] = tf.implicitValueAndGradients(loss)();
    tf.setRandomSeed(8);
    const [lc, gc] = step() as [tf.Tensor, tf.Tensor];
    expect(Math.abs((lc.item() as number) - (le.item() as number))).toBeLessThan(1e-6);
    values(gc).forEach((v, i) => expect(Math.abs(v - values(ge!)[i]!)).toBeLessThan(1e-6));
  });

  it("the gradient of a compiled cond whose branch draws uses the forward's draw", () => {
    const w = tf.variable(tf.tensor([1, 1, 1, 1, 1]), { name: "condDrawW" });
    const loss = (p: tf.Tensor) => tf.cond(p, () => w.mul(tf.randomUniform([5])).sum(), () => w.sum().mul(0));
    const step = tf.compile((p: tf.Tensor) => {
      const [l, grads] = tf.implicitValueAndGradients(() => loss(p))();
      return [l, grads[0]![0]];
    });
    for (let i = 0; i < 2; i++) {
      const [l, g] = step(tf.scalar(1)) as [tf.Tensor, tf.Tensor];
      // loss = sum(w * u), so dloss/dw = u, whose sum is the loss (w = 1).
      expect(Math.abs(values(g).reduce((a, b) => a + b, 0) - (l.item() as number))).toBeLessThan(1e-5);
    }
    tf.setRandomSeed(12);
    const [le, [[ge]]] = tf.implicitValueAndGradients(() => loss(tf.scalar(1)))();
    tf.setRandomSeed(12);
    const [lc, gc] = step(tf.scalar(1)) as [tf.Tensor, tf.Tensor];
    expect(lc.item()).toBe(le.item());
    expect(values(gc)).toEqual(values(ge!));
    // The backward drew nothing: the next draw follows the forward's.
    tf.setRandomSeed(12);
    step(tf.scalar(1));
    const next = values(tf.randomUniform([2]));
    tf.setRandomSeed(12);
    tf.randomUniform([5]);
    expect(values(tf.randomUniform([2]))).toEqual(next);
  });

  it("a variable initialized from a random draw inside a compiled function takes one draw", () => {
    let w: tf.Variable | null = null;
    const g = tf.compile((x: tf.Tensor) => {
      w ??= tf.variable(tf.randomNormal([3]), { name: "lazy" });
      return x.add(w);
    });
    const x = tf.zeros([3]);
    tf.setRandomSeed(21);
    const first = values(g(x));
    expect(values(g(x))).toEqual(first);
    tf.setRandomSeed(21);
    expect(values(w!)).toEqual(values(tf.randomNormal([3])));
    expect(first).toEqual(values(w!));
  });
});
