/** Fused kernels on the cpu backend: random graphs (with head ops and their tails) agree with the unfused reference, on one thread and across the pool. */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { agree, build, inputsFor, randomGraph } from "../../../packages/core/test/helpers/random-graph.js";

const instances: Record<string, Promise<CpuBackend>> = {
  fused1: createCpuBackend({ name: "fused1", threads: 1 }),
  fused2: createCpuBackend({ name: "fused2", threads: 2, thresholds: { elementwise: 16 } }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });

beforeAll(async () => {
  await tf.ready();
  for (const name of Object.keys(instances)) await tf.ready(name);
});

describe.each(Object.keys(instances))("fused kernels on %s", (device) => {
  it("random elementwise graphs (broadcasting, mixed dtypes) match the unfused reference", () => {
    let fused = 0;
    let tails = 0;
    let views = 0;
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), (g, seed) => {
        const f = build(g);
        const xs = tf.withDevice("reference", () => inputsFor(g, seed));
        const expected = tf.withDevice("reference", () => f(...xs));
        const compiled = tf.compile(f);
        const got = tf.withDevice(device, () => compiled(...xs.map((x) => x.to(device))));
        expect(got.device).toBe(device);
        const kernels = compiled.concrete(...xs.map((x) => x.to(device))).kernels;
        fused += kernels.filter((k) => k.fused && k.device === device).length;
        tails += kernels.filter((k) => k.fused && k.device === device && k.head !== undefined).length;
        views += kernels.filter((k) => k.fused && k.device === device && k.ops.some((op) => op === "stridedSlice" || op === "broadcastTo")).length;
        const why = agree(got, expected, 2e-6);
        if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
      }),
      { numRuns: 40, seed: 7 },
    );
    expect(fused).toBeGreaterThan(10);
    expect(tails).toBeGreaterThan(5);
    expect(views).toBeGreaterThan(5);
  });

  // Every pattern of inputs that advance along the inner dimension or are broadcast there, for a
  // short expression and a long one (float32 transcendentals expanded).
  const short = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.where(c, tf.add(tf.mul(tf.cast(a, "float64"), tf.cast(b, "float64")), d), tf.sub(d, tf.cast(a, "float64")));
  const long = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    tf.where(c, tf.add(tf.tanh(tf.mul(a, tf.cast(b, "float32"))), tf.sigmoid(tf.cast(d, "float32"))), tf.sin(tf.sub(a, tf.cast(b, "float32"))));
  it.each([
    ["short", short, ["float32", "int32", "bool", "float64"], 0],
    ["long", long, ["float32", "int32", "bool", "float32"], 2e-6],
  ] as const)("four inputs of mixed dtypes in every broadcast pattern match the reference: %s expression", (_, f, dtypes, tol) => {
    const shapes = [[5, 37], [37], [5, 1], [1]];
    let fused = 0;
    for (let pattern = 0; pattern < 4 ** 4; pattern += 3) {
      const xs = dtypes.map((dt, i) => {
        const shape = shapes[(pattern >> (2 * i)) & 3]!;
        const n = shape.reduce((p, q) => p * q, 1);
        const v = Array.from({ length: n }, (_, j) => ((j * 7 + i * 3 + pattern) % 11) - 5 + (dt === "float32" || dt === "float64" ? 0.25 : 0));
        return tf.withDevice("reference", () => tf.tensor(dt === "bool" ? v.map((x) => (x > 0 ? 1 : 0)) : v, shape, dt));
      });
      const want = tf.withDevice("reference", () => f(xs[0]!, xs[1]!, xs[2]!, xs[3]!));
      const on = xs.map((x) => x.to(device));
      const compiled = tf.compile(f);
      const got = compiled(on[0]!, on[1]!, on[2]!, on[3]!);
      fused += compiled.concrete(on[0]!, on[1]!, on[2]!, on[3]!).kernels.filter((k) => k.fused && k.device === device).length;
      const why = agree(got, want, tol);
      if (why) throw new Error(`pattern ${pattern}: ${why}`);
    }
    expect(fused).toBe(Math.ceil(4 ** 4 / 3)); // every pattern fused
  });

  it("int32 pow fuses (its module carries the pow helper it calls)", () => {
    const a = tf.tensor(Int32Array.from([1, 2, 3, -4, 5, 0, -1]), [7], "int32").to(device);
    const b = tf.tensor(Int32Array.from([2, 3, 2, 1, 0, 4, -3]), [7], "int32").to(device);
    const f = tf.compile((p: tf.Tensor, q: tf.Tensor) => tf.add(tf.pow(p, q), p));
    expect(Array.from(f(a, b).dataSync())).toEqual([2, 10, 12, -8, 6, 0, -2]);
    expect(f.concrete(a, b).kernels).toEqual([{ ops: ["pow", "add"], device, fused: true }]);
  });

  it("a chain over 24 inputs, some broadcast along the inner dimension, is one kernel and matches eager", () => {
    const shapes = [[33, 65], [33, 1], [65]];
    const xs = Array.from({ length: 24 }, (_, i) => tf.randomNormal(shapes[i % 3]!, 0, 1, "float32", 40 + i).to(device));
    const chain = (...t: tf.Tensor[]) => t.slice(1).reduce((acc, x, i) => (i % 2 === 0 ? tf.mul(acc, x) : tf.add(acc, x)), t[0]!);
    const f = tf.compile(chain);
    const got = f(...xs);
    expect(f.concrete(...xs).kernels).toEqual([{ ops: Array.from({ length: 23 }, (_, i) => (i % 2 === 0 ? "mul" : "add")), device, fused: true }]);
    const want = tf.withDevice("reference", () => chain(...xs.map((x) => x.to("reference"))));
    expect(agree(got, want, 2e-6)).toBeNull();
  });

  it("a*b+c runs as one kernel, across the pool above the threshold", async () => {
    const b = await instances[device]!;
    const n = 4096 + 3;
    const [x, y, z] = [1, 2, 3].map((s) => tf.randomNormal([n], 0, 1, "float32", s).to(device));
    const f = tf.compile((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.add(tf.mul(p, q), r));
    const before = b.context.parallelRuns;
    const got = f(x!, y!, z!);
    expect(f.concrete(x!, y!, z!).kernels).toEqual([{ ops: ["mul", "add"], device, fused: true }]);
    if (b.threads > 1) expect(b.context.parallelRuns).toBeGreaterThan(before);
    const want = tf.add(tf.mul(x!, y!), z!);
    expect(agree(got, want, 0)).toBeNull();
  });
});
