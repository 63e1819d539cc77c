/** Fusion: random elementwise graphs (broadcasting, mixed dtypes, heads with tails) give the unfused result when fused. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { createReferenceBackend, registerBackend } from "@eager/core/backend";
import { agree, build, inputsFor, randomGraph } from "./helpers/random-graph.js";

describe("elementwise fusion on the reference backend", () => {
  it("fused programs equal the ops run one by one (exactly: the reference rounds where ops store)", () => {
    let fusedSeen = 0;
    let tailsSeen = 0;
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), (g, seed) => {
        const f = build(g);
        const xs = inputsFor(g, seed);
        const eager = f(...xs);
        const compiled = tf.compile(f);
        const got = compiled(...xs);
        fusedSeen += compiled.concrete(...xs).kernels.filter((k) => k.fused).length;
        tailsSeen += compiled.concrete(...xs).kernels.filter((k) => k.fused && k.head !== undefined).length;
        const why = agree(got, eager, 0);
        if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
      }),
      { numRuns: 80, seed: 42 },
    );
    expect(fusedSeen).toBeGreaterThan(20);
    expect(tailsSeen).toBeGreaterThan(10);
  });

  it("a backend without fusion runs the ops one by one", () => {
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.mul(a, b), 1));
    const g = tf.compile(f);
    const a = tf.tensor([1, -2, 3]);
    const b = tf.tensor([2, 2, -1]);
    expect(g(a, b).arraySync()).toEqual([3, 0, 0]);
    expect(g.concrete(a, b).kernels).toEqual([{ ops: ["mul", "add", "relu"], device: "reference", fused: true }]);
    registerBackend("plainReference", () => ({ ...createReferenceBackend("plainReference"), fusedElementwise: undefined }), { priority: -5 });
    const [pa, pb] = [a.to("plainReference"), b.to("plainReference")];
    const y = g(pa, pb);
    expect(y.device).toBe("plainReference");
    expect(y.arraySync()).toEqual([3, 0, 0]);
    expect(g.concrete(pa, pb).kernels).toEqual([{ ops: ["mul", "add", "relu"], device: "plainReference", fused: false }]);
  });
});
