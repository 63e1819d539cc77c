/** Fused kernels on webgpu: random graphs (broadcasting, mixed dtypes; head ops with their tails) agree with the unfused reference. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { gpuAvailability } from "./helpers.js";
import { agree, build, inputsFor, randomGraph } from "../../../packages/core/test/helpers/random-graph.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "webgpu fused kernels" : `webgpu fused kernels (skipped: ${availability.reason})`;

suite(title, () => {
  it("random graphs (elementwise, and head ops with their tails) match the unfused reference", async () => {
    let fused = 0;
    let tails = 0;
    await fc.assert(
      fc.asyncProperty(randomGraph, fc.nat(1000), async (g, seed) => {
        const f = build(g);
        const xs = tf.withDevice("reference", () => inputsFor(g, seed));
        const expected = tf.withDevice("reference", () => f(...xs));
        const compiled = tf.compile(f);
        const onGpu = xs.map((x) => x.to("webgpu"));
        const got = compiled(...onGpu);
        expect(got.device).toBe("webgpu");
        const kernels = compiled.concrete(...onGpu).kernels;
        fused += kernels.filter((k) => k.fused && k.device === "webgpu").length;
        tails += kernels.filter((k) => k.fused && k.device === "webgpu" && k.head !== undefined).length;
        const back = await got.toAsync("reference");
        const why = agree(back, expected, 1e-4);
        if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
      }),
      { numRuns: 25, seed: 3 },
    );
    expect(fused).toBeGreaterThan(5);
    expect(tails).toBeGreaterThan(3);
  });

  it("a chain over more inputs than a shader stage may bind runs op by op, and correctly", async () => {
    const chain = (...t: tf.Tensor[]) => t.slice(1).reduce((acc, x, i) => (i % 2 === 0 ? tf.mul(acc, x) : tf.add(acc, x)), t[0]!);
    const xs = Array.from({ length: 12 }, (_, i) => tf.withDevice("reference", () => tf.randomNormal([7, 5], 0, 1, "float32", 60 + i)));
    const compiled = tf.compile(chain);
    const onGpu = xs.map((x) => x.to("webgpu"));
    const got = compiled(...onGpu);
    expect(compiled.concrete(...onGpu).kernels).toEqual([{ ops: Array.from({ length: 11 }, (_, i) => (i % 2 === 0 ? "mul" : "add")), device: "webgpu", fused: false }]);
    const after = tf.add(onGpu[0]!, onGpu[1]!);
    expect(agree(await got.toAsync("reference"), tf.withDevice("reference", () => chain(...xs)), 1e-5)).toBeNull();
    expect(Array.from(await after.data())).toEqual(Array.from(tf.withDevice("reference", () => tf.add(xs[0]!, xs[1]!)).dataSync()));
  });
});
