/**
 * Fused kernels through the WebGL backend's gpu.js templates: random graphs (broadcasting, mixed
 * dtypes; head ops with their tails) agree with the unfused reference. In Node gpu.js runs its own
 * fallback mode, so this checks the generated kernels, not a GPU.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import "@eager/backend-webgl";
import { agree, build, inputsFor, randomGraph } from "../../../packages/core/test/helpers/random-graph.js";

describe("webgl fused kernels", () => {
  it("random graphs (elementwise, and head ops with their tails) match the unfused reference", async () => {
    await tf.ready("webgl");
    let fused = 0;
    let tails = 0;
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), (g, seed) => {
        const f = build(g);
        const xs = tf.withDevice("reference", () => inputsFor(g, seed));
        const expected = tf.withDevice("reference", () => f(...xs));
        const compiled = tf.compile(f);
        const onGl = xs.map((x) => x.to("webgl"));
        const got = compiled(...onGl);
        expect(got.device).toBe("webgl");
        const kernels = compiled.concrete(...onGl).kernels;
        fused += kernels.filter((k) => k.fused && k.device === "webgl").length;
        tails += kernels.filter((k) => k.fused && k.device === "webgl" && k.head !== undefined).length;
        const why = agree(got.to("reference"), expected, 1e-4);
        if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
      }),
      { numRuns: 20, seed: 5 },
    );
    expect(fused).toBeGreaterThan(5);
    expect(tails).toBeGreaterThanOrEqual(3);
  });
});
