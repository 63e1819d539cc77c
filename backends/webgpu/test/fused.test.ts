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
});
