/** cond, whileLoop and scan: eager semantics against plain JS, compiled nodes without retracing, gradients. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

const vals = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);
const close = (a: tf.Tensor | number[], b: tf.Tensor | number[], tol = 1e-5): void => {
  const x = Array.isArray(a) ? a : vals(a);
  const y = Array.isArray(b) ? b : vals(b);
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y[i]!)));
};

/** Central differences of a scalar function of one float64 tensor. */
function numericGradient(f: (x: tf.Tensor) => tf.Tensor, x: number[], shape: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const at = (d: number) => {
      const v = [...x];
      v[i]! += d;
      return f(tf.tensor(v, shape, "float64")).item() as number;
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe("control flow, eagerly", () => {
  it("cond runs only the branch the predicate picks", () => {
    let ran = "";
    const f = (x: tf.Tensor) =>
      tf.cond(
        x.sum().greater(0),
        () => ((ran += "then"), x.mul(2)),
        () => ((ran += "else"), x.neg()),
      );
    expect(vals(f(tf.tensor([1, 2])))).toEqual([2, 4]);
    expect(ran).toBe("then");
    ran = "";
    expect(vals(f(tf.tensor([-1, -2])))).toEqual([1, 2]);
    expect(ran).toBe("else");
    expect(vals(tf.cond(false, () => tf.scalar(1), () => tf.scalar(2)))).toEqual([2]);
  });

  it("whileLoop matches a JavaScript while loop", () => {
    // Collatz steps of 27 (111 steps).
    let n = 27;
    let steps = 0;
    while (n !== 1) {
      n = n % 2 === 0 ? n / 2 : 3 * n + 1;
      steps++;
    }
    const [m, s] = tf.whileLoop(
      (m) => m.notEqual(1),
      (m, s) => [tf.where(m.mod(2).equal(0), m.floorDiv(2), m.mul(3).add(1)), s.add(1)],
      [tf.scalar(27, "int32"), tf.scalar(0, "int32")],
    );
    expect(m!.item()).toBe(1);
    expect(s!.item()).toBe(steps);
    const [capped] = tf.whileLoop((i) => i.less(100), (i) => i.add(1), [tf.scalar(0)], { maxIterations: 7 });
    expect(capped!.item()).toBe(7);
  });

  it("scan matches a JavaScript loop: carry only, [carry, y], reverse, structures", () => {
    const xs = [3, -1, 4, 1, -5];
    const [total, running] = tf.scan((acc: tf.Tensor, x: tf.Tensor) => acc.add(x), tf.scalar(0), tf.tensor(xs));
    let acc = 0;
    const want = xs.map((x) => (acc += x));
    expect(total.item()).toBe(acc);
    expect(vals(running)).toEqual(want);
    // [carry, y] with an object carry; reverse keeps ys[t] aligned with xs[t].
    const [c, ys] = tf.scan(
      (s: { sum: tf.Tensor; n: tf.Tensor }, x: tf.Tensor) => [{ sum: s.sum.add(x), n: s.n.add(1) }, x.mul(s.n)],
      { sum: tf.scalar(0), n: tf.scalar(0) },
      tf.tensor(xs),
      { reverse: true },
    );
    expect(c.sum.item()).toBe(2);
    expect(c.n.item()).toBe(5);
    expect(vals(ys)).toEqual(xs.map((x, t) => x * (xs.length - 1 - t)));
  });

  it("gradients flow through the taken branch and the unrolled loops under a tape", () => {
    const x = tf.tensor([1, -2, 3]);
    const [g1] = tf.gradientsFunction((v) => tf.cond(v.sum().greater(0), () => v.square().sum(), () => v.mul(3).sum()))(x);
    close(g1!, [2, -4, 6]);
    const [g2] = tf.gradientsFunction((v) => tf.scan((h: tf.Tensor, r: tf.Tensor) => h.mul(r), tf.scalar(1), v)[0])(x);
    close(g2!, [-6, 3, -2]);
  });
});

describe("control flow under compile", () => {
  it("cond is one node that picks the branch at run time: no retrace", () => {
    const f = (x: tf.Tensor) => tf.cond(x.sum().greater(0), () => x.mul(2).add(1), () => x.neg());
    const g = tf.compile(f);
    for (const v of [[1, 2], [-3, 1], [0, 0], [5, -1]]) close(g(tf.tensor(v)), f(tf.tensor(v)));
    expect(g.traceCount).toBe(1);
    expect(g.concrete(tf.tensor([1, 2])).ops).toContain("cond");
    expect(g.concrete(tf.tensor([1, 2])).toString()).toMatch(/= cond\(/);
  });

  it("whileLoop runs a different trip count per call without retracing", () => {
    const g = tf.compile((n: tf.Tensor) => tf.whileLoop((i, acc) => i.less(n), (i, acc) => [i.add(1), acc.mul(2)], [tf.scalar(0), tf.scalar(1)])[1]!);
    for (const n of [0, 1, 5, 10]) expect(g(tf.scalar(n)).item()).toBe(2 ** n);
    expect(g.traceCount).toBe(1);
  });

  it("scan gives the eager result for new values without retracing", () => {
    const w = tf.tensor([[0.5, -0.2], [0.1, 0.3]]);
    const rnn = (h0: tf.Tensor, xs: tf.Tensor) => tf.scan((h: tf.Tensor, x: tf.Tensor) => tf.tanh(tf.matmul(h, w).add(x)), h0, xs);
    const g = tf.compile(rnn);
    for (const seed of [1, 2]) {
      const h0 = tf.randomNormal([1, 2], 0, 1, "float32", seed);
      const xs = tf.randomNormal([4, 1, 2], 0, 1, "float32", seed + 10);
      const [hc, ysc] = g(h0, xs);
      const [he, yse] = rnn(h0, xs);
      close(hc, he);
      close(ysc, yse);
      expect(ysc.shape).toEqual([4, 1, 2]);
    }
    expect(g.traceCount).toBe(1);
  });

  it("gradients through a compiled cond are the taken branch's", () => {
    const f = (x: tf.Tensor) => tf.cond(x.sum().greater(0), () => x.square().sum(), () => x.mul(3).sum());
    const g = tf.compile(f);
    for (const v of [[1, -2, 3], [-1, -2, 1]]) {
      const [gc] = tf.gradientsFunction(g)(tf.tensor(v));
      const [ge] = tf.gradientsFunction(f)(tf.tensor(v));
      close(gc!, ge!);
    }
    expect(g.traceCount).toBe(1);
  });

  it("gradients through a compiled scan match eager and finite differences", () => {
    const w = tf.tensor([[0.5, -0.2], [0.1, 0.3]], [2, 2], "float64");
    const loss = (xs: tf.Tensor) => {
      const [h, ys] = tf.scan((h: tf.Tensor, x: tf.Tensor) => {
        const next = tf.tanh(tf.matmul(h, w).add(x));
        return [next, next.square().sum()];
      }, tf.zeros([1, 2], "float64"), xs);
      return h.sum().add(ys.sum());
    };
    const g = tf.compile(loss);
    const x = [0.3, -0.1, 0.7, 0.2, -0.4, 0.9];
    const [gc] = tf.gradientsFunction(g)(tf.tensor(x, [3, 1, 2], "float64"));
    const [ge] = tf.gradientsFunction(loss)(tf.tensor(x, [3, 1, 2], "float64"));
    close(gc!, ge!, 1e-9);
    close(gc!, numericGradient(loss, x, [3, 1, 2]), 1e-6);
  });

  it("the gradient of a compiled scan reaches captured variables", () => {
    const w = tf.variable(tf.tensor([0.5, -1.5]), { name: "w" });
    const loss = (xs: tf.Tensor) => tf.scan((h: tf.Tensor, x: tf.Tensor) => h.mul(w).add(x), tf.zeros([2]), xs)[0].sum();
    const g = tf.compile(loss);
    const xs = tf.tensor([[1, 2], [3, 4], [5, 6]]);
    const [vc, [[gw]]] = [g(xs), tf.implicitGradients(() => g(xs))()];
    const ge = tf.implicitGradients(() => loss(xs))()[0]![0];
    close(vc, loss(xs));
    close(gw!, ge);
  });

  it("whileLoop under compile: a gradient needs maxIterations", () => {
    const loop = (x: tf.Tensor, opts: tf.WhileLoopOptions) => tf.whileLoop((i, y) => i.less(3), (i, y) => [i.add(1), y.mul(x)], [tf.scalar(0), tf.scalar(1)], opts)[1]!;
    const unbounded = tf.compile((x: tf.Tensor) => loop(x, {}));
    expect(unbounded(tf.scalar(2)).item()).toBe(8);
    expect(() => tf.gradientsFunction(unbounded)(tf.scalar(2))).toThrow(tf.NonDifferentiableError);
    expect(() => tf.gradientsFunction(unbounded)(tf.scalar(2))).toThrow(/maxIterations/);
    const bounded = tf.compile((x: tf.Tensor) => loop(x, { maxIterations: 10 }));
    expect(bounded(tf.scalar(2)).item()).toBe(8);
    const [g] = tf.gradientsFunction(bounded)(tf.scalar(2));
    expect(g!.item()).toBeCloseTo(12, 5); // d x^3 = 3 x^2
    const [ge] = tf.gradientsFunction((x) => loop(x, {}))(tf.scalar(2));
    expect(ge!.item()).toBeCloseTo(12, 5);
  });

  it("nests: a cond inside a scan body, over a batch whose size varies (inputSignature)", () => {
    const f = (xs: tf.Tensor) =>
      tf.scan((acc: tf.Tensor, x: tf.Tensor) => tf.cond(x.sum().greater(0), () => acc.add(x), () => acc.sub(x.square())), tf.zeros([1]), xs)[0];
    const g = tf.compile(f, { inputSignature: [{ shape: [null, 1] }] });
    for (const v of [[1, -2, 3], [-1], [2, 2, -3, 4, -1]]) close(g(tf.tensor(v, [v.length, 1])), f(tf.tensor(v, [v.length, 1])));
    const [gc] = tf.gradientsFunction(g)(tf.tensor([1, -2, 3], [3, 1]));
    close(gc!, [1, 4, 1]);
  });

  it("frees every intermediate: a compiled run leaves only its outputs", () => {
    const g = tf.compile((n: tf.Tensor, xs: tf.Tensor) => {
      const [s] = tf.whileLoop((i) => i.less(n), (i, acc) => [i.add(1), acc.add(i)], [tf.scalar(0), tf.scalar(0)]).slice(1);
      const [c, ys] = tf.scan((h: tf.Tensor, x: tf.Tensor) => [h.mul(0.5).add(x), h.exp()], tf.zeros([3]), xs);
      return tf.cond(s!.greater(3), () => c.add(ys.sum()), () => c);
    });
    const n = tf.scalar(4);
    const xs = tf.ones([5, 3]);
    g(n, xs).dispose();
    const before = tf.memory().numTensors;
    const out = g(n, xs);
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("scan with xs null runs { length } steps; a body cannot assign a variable", () => {
    const g = tf.compile((x: tf.Tensor) => tf.scan((c: tf.Tensor) => [c.mul(x), c], tf.scalar(1), null, { length: 4 }));
    const [c, ys] = g(tf.scalar(3));
    expect(c.item()).toBe(81);
    expect(vals(ys)).toEqual([1, 3, 9, 27]);
    const v = tf.variable(tf.scalar(0), { name: "v" });
    const h = tf.compile((x: tf.Tensor) => tf.cond(x.greater(0), () => (v.assign(x), x), () => x));
    expect(() => h(tf.scalar(1))).toThrow(/assigning variable .* inside cond, whileLoop or scan under compile is not supported/);
  });

  it("branches that disagree on shapes fail with a clear error", () => {
    const g = tf.compile((x: tf.Tensor) => tf.cond(x.sum().greater(0), () => x, () => x.sum()));
    expect(() => g(tf.tensor([1, 2]))).toThrow(/cond: output 0 is float32\[2\] in thenFn but float32\[\] in elseFn/);
  });

  it("a host if on a symbolic tensor throws at the user's line, naming the fix", () => {
    const g = tf.compile((x: tf.Tensor) => {
      if ((x.sum().item() as number) > 0) return x;
      return x.neg();
    });
    let error: Error | null = null;
    try {
      g(tf.ones([2]));
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(tf.SymbolicTensorError);
    expect(error!.message).toMatch(/tf\.cond/);
    expect(error!.message).toMatch(/control-flow\.test\.ts:\d+/);
  });
});
