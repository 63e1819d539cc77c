/** Fused elementwise kernels on the cpu backend: random graphs agree with the unfused reference, on one thread and across the pool. */
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
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), (g, seed) => {
        const f = build(g);
        const xs = tf.withDevice("reference", () => inputsFor(g, seed));
        const expected = tf.withDevice("reference", () => f(...xs));
        const compiled = tf.compile(f);
        const got = tf.withDevice(device, () => compiled(...xs.map((x) => x.to(device))));
        expect(got.device).toBe(device);
        fused += compiled.concrete(...xs.map((x) => x.to(device))).kernels.filter((k) => k.fused && k.device === device).length;
        const why = agree(got, expected, 2e-6);
        if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
      }),
      { numRuns: 40, seed: 7 },
    );
    expect(fused).toBeGreaterThan(10);
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
