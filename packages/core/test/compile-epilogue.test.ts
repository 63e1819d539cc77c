/** Epilogue fusion: a matmul, conv2d or reduction with an elementwise tail runs as one kernel and equals the ops run one by one. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, epilogueHeads, registerBackend } from "@eager/core/backend";
import { agree } from "./helpers/random-graph.js";

const rand = (shape: number[], seed: number): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, k) => Math.round(Math.sin(seed * 7.1 + k * 1.37) * 2 * 64) / 64 + 1e-3 * Math.cos(k)), shape);
};

/** Compile `f`, check it against eager exactly, and return the program. */
function check(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) {
  const eager = f(...xs);
  const g = tf.compile(f);
  const got = g(...xs);
  const why = agree(got, eager, 0);
  if (why) throw new Error(`${why}\n${g.concrete(...xs).toString()}`);
  return g.concrete(...xs);
}

const CASES: { name: string; f: (...xs: tf.Tensor[]) => tf.Tensor; shapes: number[][]; ops: string[] }[] = [
  { name: "matmul + bias + relu", f: (x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b)), shapes: [[5, 7], [7, 3], [3]], ops: ["matmul", "add", "relu"] },
  { name: "matmul + bias + tanh", f: (x, w, b) => tf.tanh(tf.add(tf.matMul(x, w), b)), shapes: [[4, 6], [6, 9], [9]], ops: ["matmul", "add", "tanh"] },
  { name: "batched matmul with broadcast batches and a column extra", f: (x, w, c) => tf.sigmoid(tf.sub(tf.matMul(x, w, false, true), c)), shapes: [[2, 1, 3, 4], [5, 6, 4], [3, 1]], ops: ["matmul", "sub", "sigmoid"] },
  { name: "conv2d + bias + relu", f: (x, k, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, "same"), b)), shapes: [[1, 5, 4, 2], [3, 3, 2, 3], [3]], ops: ["conv2d", "add", "relu"] },
  { name: "sum(x, axis) * scale + b", f: (x, s, b) => tf.add(tf.mul(tf.sum(x, 1), s), b), shapes: [[6, 5], [], [6]], ops: ["sum", "mul", "add"] },
  { name: "max tail with a full-shape extra", f: (x, y) => tf.maximum(tf.max(x, 0, true), y), shapes: [[4, 3], [1, 3]], ops: ["max", "maximum"] },
  { name: "mean tail", f: (x, b) => tf.exp(tf.neg(tf.add(tf.mean(x, [0, 2]), b))), shapes: [[3, 4, 5], [4]], ops: ["mean", "add", "neg", "exp"] },
];

describe("epilogue fusion on the reference backend", () => {
  it("names its heads", () => {
    expect(epilogueHeads).toEqual(["matmul", "conv2d", "sum", "max", "mean"]);
  });

  it.each(CASES)("$name is one kernel, equal to the ops run one by one", ({ f, shapes, ops }) => {
    const p = check(
      f,
      shapes.map((s, i) => rand(s, i + 1)),
    );
    expect(p.kernels).toEqual([{ ops, device: "reference", fused: true, head: ops[0] }]);
    expect(p.toString()).toContain(`epilogue[${ops.join(" > ")}]`);
    expect(p.toString()).toContain("(1 fused, 1 with an epilogue)");
  });

  it("a tail that changes the shape or dtype, or a head read twice, an output or written, stays apart", () => {
    const [x, w, b] = [rand([3, 4], 1), rand([4, 2], 2), rand([2], 3)];
    // The head is also read by a sum: not fused (the add+relu still fuse as elementwise).
    const twice = check((x, w, b) => { const h = tf.matMul(x, w); return tf.add(tf.relu(tf.add(h, b)), tf.sum(h)); }, [x, w, b]);
    expect(twice.kernels.some((k) => k.head !== undefined)).toBe(false);
    // The head's value is an output of the program.
    const g = tf.compile((x: tf.Tensor, w: tf.Tensor) => { const h = tf.matMul(x, w); return [h, tf.relu(h)]; });
    g(x, w);
    expect(g.concrete(x, w).kernels.some((k) => k.head !== undefined)).toBe(false);
    // The tail broadcasts to a bigger shape than the head's.
    const wider = check((x, w, c) => tf.add(tf.matMul(x, w), c), [x, w, rand([5, 3, 2], 4)]);
    expect(wider.kernels.map((k) => k.ops)).toEqual([["matmul"], ["add"]]);
    // The tail changes the dtype.
    const cmp = check((x, w) => tf.greater(tf.matMul(x, w), 0), [x, w]);
    expect(cmp.kernels.some((k) => k.head !== undefined)).toBe(false);
    // A head written to a variable.
    const v = tf.variable(tf.zeros([3, 2]), { name: "h" });
    const wr = tf.compile((x: tf.Tensor, w: tf.Tensor) => { const h = tf.matMul(x, w); v.assign(h); return tf.relu(h); });
    wr(x, w);
    expect(wr.concrete(x, w).kernels.some((k) => k.head !== undefined)).toBe(false);
    expect(agree(v, tf.matMul(x, w), 0)).toBeNull();
  });

  it("with a varying batch dimension, extras that broadcast past the head at run time still give the eager result", () => {
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.tanh(tf.add(tf.matMul(x, w), b));
    const g = tf.compile(f, { inputSignature: [{ shape: [null, 4] }, { shape: [4, 3] }, { shape: [null, 3] }] });
    const w = rand([4, 3], 2);
    for (const [n, m] of [[2, 2], [1, 5], [3, 3], [1, 1]] as const) {
      const [x, b] = [rand([n, 4], n), rand([m, 3], m + 7)];
      const why = agree(g(x, w, b), f(x, w, b), 0);
      if (why) throw new Error(`x [${n}, 4], b [${m}, 3]: ${why}\n${g.concrete(x, w, b).toString()}`);
    }
    expect(g.concrete(rand([2, 4], 1), w, rand([2, 3], 1)).kernels.filter((k) => k.head === "matmul")).toHaveLength(1);
  });

  it("a backend that declines, or has no fusedEpilogue, runs the head and the tail apart with the same result", () => {
    registerBackend("refDeclines", () => ({ ...createReferenceBackend("refDeclines"), fusedEpilogue: () => false }), { priority: -5 });
    registerBackend("refNoTail", () => ({ ...createReferenceBackend("refNoTail"), fusedEpilogue: undefined, fusedElementwise: undefined }), { priority: -5 });
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.tanh(tf.add(tf.matMul(x, w), b));
    const xs = [rand([3, 4], 1), rand([4, 2], 2), rand([2], 3)];
    const want = f(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor]));
    for (const device of ["refDeclines", "refNoTail"]) {
      const g = tf.compile(f);
      const on = xs.map((x) => x.to(device)) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const before = tf.memory().numTensors;
      const y = g(...on);
      expect(y.device).toBe(device);
      const back = y.to("reference");
      expect(agree(back, want, 0)).toBeNull();
      back.dispose();
      expect(g.concrete(...on).kernels).toEqual([{ ops: ["matmul", "add", "tanh"], device, fused: false, head: "matmul" }]);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("a tail that throws leaks nothing", () => {
    registerBackend("refThrows", () => ({ ...createReferenceBackend("refThrows"), fusedEpilogue: () => { throw new Error("tail failed"); } }), { priority: -5 });
    const g = tf.compile((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matMul(tf.exp(x), w), b)));
    const xs = [rand([3, 4], 1), rand([4, 2], 2), rand([2], 3)].map((x) => x.to("refThrows")) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const before = tf.memory();
    expect(() => g(...xs)).toThrow("tail failed");
    expect(() => g(...xs)).toThrow("tail failed");
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it("a compiled MLP training step fuses its matmuls' tails, forward and backward, and matches eager within 1e-5 over 20 steps", () => {
    const X = tf.randomNormal([16, 12], 0, 1, "float32", 1);
    const Y = tf.randomNormal([16, 3], 0, 1, "float32", 2);
    const model = () => {
      const w1 = tf.variable(tf.randomNormal([12, 10], 0, 0.4, "float32", 3), { name: "w1" });
      const b1 = tf.variable(tf.zeros([10]), { name: "b1" });
      const w2 = tf.variable(tf.randomNormal([10, 3], 0, 0.4, "float32", 4), { name: "w2" });
      const b2 = tf.variable(tf.zeros([3]), { name: "b2" });
      const loss = () => tf.sub(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X, w1), b1)), w2), b2), Y).square().mean();
      return loss;
    };
    const eagerLoss = model();
    const eagerOpt = new tf.train.AdamOptimizer({ learningRate: 0.02 });
    const compiledLoss = model();
    const opt = new tf.train.AdamOptimizer({ learningRate: 0.02 });
    const step = tf.compile(() => {
      const [loss, grads] = tf.implicitValueAndGradients(compiledLoss)();
      opt.applyGradients(grads);
      return loss;
    });
    for (let i = 0; i < 20; i++) {
      const e = tf.tidy(() => {
        const [loss, grads] = tf.implicitValueAndGradients(eagerLoss)();
        eagerOpt.applyGradients(grads);
        return loss;
      });
      const c = step();
      expect(Math.abs((c.item() as number) - (e.item() as number))).toBeLessThanOrEqual(1e-5 * Math.abs(e.item() as number));
      e.dispose();
      c.dispose();
    }
    const tails = step.concrete().kernels.filter((k) => k.head !== undefined);
    expect(tails.length).toBeGreaterThanOrEqual(2);
    expect(tails.every((k) => k.fused && k.device === "reference")).toBe(true);
    expect(tails.some((k) => k.head === "matmul")).toBe(true);
    const before = tf.memory().numBytes;
    step().dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});
