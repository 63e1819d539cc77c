/** compile: traced once per signature, replayed, variables by reference, retrace warnings, memory. */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { engine } from "../src/engine/engine.js";
import { createReferenceBackend } from "@eager/core/backend";

afterEach(() => vi.restoreAllMocks());

const close = (a: tf.Tensor, b: tf.Tensor, tol = 1e-6): void => {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y[i]!)));
};

describe("compile", () => {
  it("traces once per signature and replays with the eager result", () => {
    const w = tf.tensor([[1, -2], [3, 4]]);
    const f = (x: tf.Tensor) => tf.relu(tf.matmul(x, w)).sum();
    const g = tf.compile(f);
    const x1 = tf.tensor([[1, 1], [2, -1]]);
    expect(g(x1).item()).toBe(f(x1).item());
    const x2 = tf.tensor([[0.5, 2], [-1, 3]]);
    expect(g(x2).item()).toBe(f(x2).item());
    expect(g.traceCount).toBe(1);
    g(tf.tensor([[1, 2]]));
    expect(g.traceCount).toBe(2);
    expect(tf.jit).toBe(tf.compile);
  });

  it("keeps the structure of what the function returns", () => {
    const g = tf.compile((x: tf.Tensor, k: number) => ({ y: tf.mul(x, k), parts: [x.sum(), 7] }));
    const out = g(tf.tensor([1, 2]), 3) as { y: tf.Tensor; parts: [tf.Tensor, number] };
    expect(out.y.arraySync()).toEqual([3, 6]);
    expect(out.parts[0].item()).toBe(3);
    expect(out.parts[1]).toBe(7);
    g(tf.tensor([1, 2]), 3);
    expect(g.traceCount).toBe(1);
    expect((g(tf.tensor([1, 2]), 4) as { y: tf.Tensor }).y.arraySync()).toEqual([4, 8]);
    expect(g.traceCount).toBe(2);
  });

  it("one trace serves every batch size with a null dimension", () => {
    const w = tf.variable(tf.tensor([[1], [2], [3]]));
    const g = tf.compile((x: tf.Tensor) => tf.tanh(tf.matmul(x, w)), { inputSignature: [{ shape: [null, 3], dtype: "float32" }] });
    for (const batch of [32, 1, 7]) {
      const x = tf.randomNormal([batch, 3]);
      close(g(x), tf.tanh(tf.matmul(x, w)));
    }
    expect(g.traceCount).toBe(1);
    expect(() => g(tf.zeros([2, 4]))).toThrow(/inputSignature says \[null,3\]/);
  });

  it("a trace whose sizes are linear in a null dimension serves every size; another use retraces per size", () => {
    const g = tf.compile((x: tf.Tensor) => tf.reshape(x, [x.shape[0]!, 2, 2]).sum([1, 2]), { inputSignature: [{ shape: [null, 4] }] });
    expect(g(tf.ones([3, 4])).arraySync()).toEqual([4, 4, 4]);
    expect(g(tf.ones([5, 4])).arraySync()).toEqual([4, 4, 4, 4, 4]);
    expect(g(tf.ones([3, 4])).arraySync()).toEqual([4, 4, 4]);
    expect(g.traceCount).toBe(1);
    const h = tf.compile((x: tf.Tensor) => tf.reshape(x, [x.shape[0]! * x.shape[0]!, 4 / x.shape[0]!]).sum(1), { inputSignature: [{ shape: [null, 4] }] });
    expect(h(tf.ones([2, 4])).arraySync()).toEqual([2, 2, 2, 2]);
    expect(h(tf.ones([4, 4])).shape).toEqual([16]);
    expect(h(tf.ones([2, 4])).arraySync()).toEqual([2, 2, 2, 2]);
    expect(h.traceCount).toBe(2);
  });

  it("a trace made at a null dimension of size 1 serves only that size; the next general trace serves the rest", () => {
    const g = tf.compile((x: tf.Tensor) => tf.reshape(x, [x.shape[0]!, 2, 2]).sum([1, 2]), { inputSignature: [{ shape: [null, 4] }] });
    expect(g(tf.ones([1, 4])).arraySync()).toEqual([4]);
    expect(g(tf.ones([3, 4])).arraySync()).toEqual([4, 4, 4]);
    expect(g(tf.ones([1, 4])).arraySync()).toEqual([4]);
    const w = tf.variable(tf.tensor([[1], [2], [3], [4]]));
    const h = tf.compile((x: tf.Tensor) => tf.matmul(x, w), { inputSignature: [{ shape: [null, 4] }] });
    expect(h(tf.ones([1, 4])).arraySync()).toEqual([[10]]);
    expect(h(tf.ones([2, 4])).arraySync()).toEqual([[10], [10]]);
    expect(h(tf.ones([5, 4])).shape).toEqual([5, 1]);
    expect(h.traceCount).toBe(2);
    // A fused elementwise tail (bias add + relu) takes its output shape from the run, not the trace.
    const bias = tf.variable(tf.tensor([-15]));
    const k = tf.compile((x: tf.Tensor) => tf.relu(tf.add(tf.matmul(x, w), bias)), { inputSignature: [{ shape: [null, 4] }] });
    for (const n of [2, 1, 7, 2]) {
      const x = tf.randomUniform([n, 4], 0, 3, "float32", n);
      close(k(x), tf.relu(tf.add(tf.matmul(x, w), bias)));
    }
  });

  it("warns once past maxTraces, naming the argument, both signatures and the fix", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const g = tf.compile(function step(x: tf.Tensor) {
      return x.square();
    }, { maxTraces: 2 });
    for (const n of [1, 2, 3, 4]) g(tf.zeros([n, 4]));
    expect(g.traceCount).toBe(4);
    expect(warn).toHaveBeenCalledTimes(1);
    const msg = String(warn.mock.calls[0]![0]);
    expect(msg).toContain("compile(step)");
    expect(msg).toContain("argument 0 changed from float32[2,4] to float32[3,4]");
    expect(msg).toContain("inputSignature");
    const h = tf.compile((x: tf.Tensor, k: number) => tf.mul(x, k), { maxTraces: 1 });
    h(tf.ones([2]), 1);
    h(tf.ones([2]), 2);
    expect(String(warn.mock.calls[1]![0])).toMatch(/argument 1 changed from 1 to 2.*as a tensor/);
  });

  it("concrete() shows the program: ops, kernels and a readable listing", () => {
    const g = tf.compile((x: tf.Tensor) => {
      const unused = tf.exp(x);
      void unused;
      const a = tf.mul(x, 2);
      const b = tf.mul(x, 2);
      return tf.add(a, b).relu();
    });
    const p = g.concrete(tf.ones([3]));
    expect(p.ops).toEqual(["mul", "add", "relu"]);
    expect(p.passes).toEqual({ traced: 5, deadRemoved: 1, merged: 1 });
    g(tf.ones([3]));
    expect(p.kernels.map((k) => k.ops)).toEqual([["mul"], ["add", "relu"]]);
    expect(p.kernels.map((k) => k.fused)).toEqual([false, true]);
    expect(p.kernels[1]!.device).toBe("reference");
    const text = p.toString();
    expect(text).toContain("program(%0: float32[3])");
    expect(text).toMatch(/= mul\(%0, %\d+\)/);
    expect(text).toMatch(/= fused\[add > relu\]/);
    expect(text).toContain("1 dead removed, 1 merged, 3 ops in 2 kernels (1 fused)");
  });

  it("reading a symbolic value throws at the user's line, naming cond and whileLoop", () => {
    const g = tf.compile((x: tf.Tensor) => {
      if ((x.sum().item() as number) > 0) return x;
      return x.neg();
    });
    expect(() => g(tf.ones([2]))).toThrow(tf.SymbolicTensorError);
    try {
      g(tf.ones([2]));
    } catch (e) {
      expect((e as Error).message).toMatch(/tf\.cond.*tf\.whileLoop/);
      expect((e as Error).stack).toContain("compile.test.ts");
    }
    const h = tf.compile((x: tf.Tensor) => ((x as unknown as number) > 0 ? x : x.neg()));
    expect(() => h(tf.ones([2]))).toThrow(/symbolic inside compile/);
  });
});

describe("compile: variables by reference", () => {
  it("sees assignments made outside, and applies assignments made inside", () => {
    const w = tf.variable(tf.tensor([1, 2, 3]), { name: "w" });
    const read = tf.compile((x: tf.Tensor) => tf.mul(x, w));
    expect(read(tf.ones([3])).arraySync()).toEqual([1, 2, 3]);
    w.assign(tf.zeros([3]));
    expect(read(tf.ones([3])).arraySync()).toEqual([0, 0, 0]);
    const bump = tf.compile((d: tf.Tensor) => {
      w.assignAdd(d);
      const seen = tf.mul(w, 10); // reads the value after the assign
      w.assignSub(tf.ones([3]));
      return seen;
    });
    expect(bump(tf.tensor([1, 2, 3])).arraySync()).toEqual([10, 20, 30]);
    expect(w.arraySync()).toEqual([0, 1, 2]);
    expect(bump(tf.tensor([1, 1, 1])).arraySync()).toEqual([10, 20, 30]);
    expect(w.arraySync()).toEqual([0, 1, 2]);
    expect(bump.traceCount).toBe(1);
    expect(bump.concrete(tf.ones([3])).writes.map((v) => v.name)).toEqual(["w"]);
  });

  it("implicitGradients through a compiled function finds its variables", () => {
    const w = tf.variable(tf.tensor([[0.5], [-1]]), { name: "w" });
    const b = tf.variable(tf.tensor([0.1]), { name: "b" });
    const model = (x: tf.Tensor) => tf.add(tf.matmul(x, w), b).tanh().square().mean();
    const compiled = tf.compile(model);
    const x = tf.tensor([[1, 2], [3, -1], [0.5, 0.5]]);
    const eager = tf.implicitGradients(() => model(x))();
    const viaCompiled = tf.implicitGradients(() => compiled(x))();
    expect(viaCompiled.map(([, v]) => v.name)).toEqual(["w", "b"]);
    viaCompiled.forEach(([g], i) => close(g, eager[i]![0], 1e-5));
  });

  it("is differentiable in its tensor arguments, with a compiled backward", () => {
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.sin(x), y).sum();
    const g = tf.compile(f);
    const x = tf.tensor([0.1, 0.7, -2]);
    const y = tf.tensor([2, 3, 4]);
    const [gx, gy] = tf.gradientsFunction(g)(x, y);
    const [ex, ey] = tf.gradientsFunction(f)(x, y);
    close(gx!, ex!, 1e-6);
    close(gy!, ey!, 1e-6);
    tf.gradientsFunction(g)(tf.tensor([1, 2, 3]), y);
    expect(g.traceCount).toBe(1);
  });
});

describe("compile: memory", () => {
  it("leaves no tensor behind across runs", () => {
    const w = tf.variable(tf.ones([4, 4]));
    const g = tf.compile((x: tf.Tensor) => tf.matmul(tf.exp(x), w).relu().sum());
    const x = tf.ones([2, 4]);
    g(x).dispose();
    const before = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) g(x).dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it("frees each intermediate at its last use (a long chain holds a few buffers, not one per op)", () => {
    const n = 1 << 12;
    const g = tf.compile((x: tf.Tensor) => {
      let y = x;
      for (let i = 0; i < 50; i++) y = tf.add(tf.mul(y, 0.5), 1);
      return y;
    });
    const x = tf.ones([n]);
    g(x).dispose();
    const backend = engine.backends.get("reference")!.instance!;
    const base = tf.memory().numBytes;
    let peak = 0;
    const alloc = backend.alloc.bind(backend);
    vi.spyOn(backend, "alloc").mockImplementation((dtype, size) => {
      peak = Math.max(peak, tf.memory().numBytes - base);
      return alloc(dtype, size);
    });
    const out = g(x);
    expect(peak).toBeLessThanOrEqual(2 * n * 4);
    expect(tf.memory().numBytes - base).toBe(n * 4);
    out.dispose();
  });

  it("frees everything when a node throws", () => {
    const g = tf.compile((x: tf.Tensor, i: tf.Tensor) => tf.gather(tf.mul(tf.exp(x), 2), i));
    const x = tf.ones([4]);
    g(x, tf.tensor([1], undefined, "int32")).dispose();
    const idx = tf.tensor([9], undefined, "int32");
    const before = tf.memory().numBytes;
    expect(() => g(x, idx)).toThrow();
    expect(tf.memory().numBytes).toBe(before);
  });
});

describe("compile: constants", () => {
  it("moves a captured constant to the device the program runs on once, and reuses it", () => {
    tf.registerBackend("constDevice", () => createReferenceBackend("constDevice"), { priority: -5 });
    const w = tf.withDevice("reference", () => tf.tensor([1, 2, 3]));
    const g = tf.compile((x: tf.Tensor) => tf.mul(x, w));
    const x = tf.ones([3]).to("constDevice");
    tf.resetPlacementReport();
    for (let i = 0; i < 3; i++) expect(g(x).arraySync()).toEqual([1, 2, 3]);
    const moved = tf.placementReport().moves;
    expect(Object.values(moved).reduce((n, m) => n + m.count, 0)).toBe(1);
  });
});

describe("compile: variable arguments", () => {
  it("are passed by reference: read and assigned, one trace per variable", () => {
    const a = tf.variable(tf.tensor([1, 2]), { name: "a" });
    const b = tf.variable(tf.tensor([10, 20]), { name: "b" });
    const bump = tf.compile((v: tf.Variable, d: tf.Tensor) => {
      v.assignAdd(d);
      return v.sum();
    });
    expect(bump(a, tf.ones([2])).item()).toBe(5);
    expect(bump(a, tf.ones([2])).item()).toBe(7);
    expect(a.arraySync()).toEqual([3, 4]);
    expect(bump(b, tf.ones([2])).item()).toBe(32);
    expect(b.arraySync()).toEqual([11, 21]);
    expect(bump.traceCount).toBe(2);
  });
});
