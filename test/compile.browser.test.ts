/** compile in headless Chromium: a compiled training step matches eager; random draws are fresh per call; fused kernels on cpu and webgl agree with the reference; constants fold on the reference backend; a matmul's tail runs inside the cpu matmul. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { CpuBackend } from "@eager/backend-cpu";
import "@eager/backend-cpu";
import "@eager/backend-webgl";
import { agree, build, inputsFor, randomGraph } from "../packages/core/test/helpers/random-graph.js";

describe("compile in the browser", () => {
  it("a compiled SGD step gives the eager losses", async () => {
    await tf.ready();
    const run = (compiled: boolean) => {
      const w = tf.withDevice("reference", () => tf.variable(tf.tensor([[0.5], [-0.25]])));
      const x = tf.withDevice("reference", () => tf.tensor([[1, 2], [3, 4], [-1, 0.5]]));
      const y = tf.withDevice("reference", () => tf.tensor([[1], [0], [2]]));
      const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.01 });
      const body = () => {
        const [l, g] = tf.implicitValueAndGradients(() => tf.sub(tf.matmul(x, w), y).square().mean())();
        opt.applyGradients(g);
        return l;
      };
      const step = compiled ? tf.compile(body) : () => tf.tidy(body);
      return Array.from({ length: 10 }, () => step().item() as number);
    };
    const eager = run(false);
    run(true).forEach((v, i) => expect(Math.abs(v - eager[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eager[i]!)));
  });

  it("random ops draw fresh values at every compiled call, the eager sequence for the same seed", async () => {
    await tf.ready();
    const f = (x: tf.Tensor) => new tf.layers.Dropout({ rate: 0.5 }).apply(x.add(tf.randomNormal([6])), { training: true });
    const x = tf.ones([6]);
    tf.setRandomSeed(31);
    const eager = [0, 1, 2].map(() => Array.from(f(x).dataSync()));
    const g = tf.compile(f);
    tf.setRandomSeed(31);
    const compiled = [0, 1, 2].map(() => Array.from(g(x).dataSync()));
    expect(compiled).toEqual(eager);
    expect(compiled[1]).not.toEqual(compiled[0]);
  });

  it("constant folding runs on the reference backend: bit-identical values, no folded op on cpu", async () => {
    await tf.ready("cpu");
    const c = tf.withDevice("cpu", () => tf.tensor(Array.from({ length: 1024 }, (_, i) => Math.cos(i * 0.11) * 4)));
    const f = (x: tf.Tensor) => x.mul(tf.exp(c).add(tf.sigmoid(c)));
    const g = tf.compile(f);
    const x = tf.withDevice("cpu", () => tf.ones([1024]));
    tf.resetPlacementReport();
    const y = g(x);
    const ops = tf.placementReport().ops;
    expect(ops["cpu"]).toEqual({ mul: 1 });
    expect(ops["reference"]).toMatchObject({ exp: 1, sigmoid: 1, add: 1 });
    const want = tf.withDevice("reference", () => f(x.to("reference"))).dataSync();
    expect(Array.from(y.dataSync())).toEqual(Array.from(want));
  });

  it("a matmul + bias + relu on cpu runs as one kernel with the tail applied per tile", async () => {
    await tf.ready("cpu");
    const cpu = getBackend("cpu") as CpuBackend;
    const [x, w, b] = [tf.randomNormal([70, 33], 0, 1, "float32", 1), tf.randomNormal([33, 20], 0, 1, "float32", 2), tf.randomNormal([20], 0, 1, "float32", 3)].map((t) => t.to("cpu"));
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matmul(x, w), b));
    const g = tf.compile(f);
    const before = cpu.epilogues.fusedRuns["matmul"]!;
    const got = g(x!, w!, b!);
    expect(g.concrete(x!, w!, b!).kernels).toEqual([{ ops: ["matmul", "add", "relu"], device: "cpu", fused: true, head: "matmul" }]);
    expect(cpu.epilogues.fusedRuns["matmul"]).toBe(before + 1);
    expect(agree(got, f(x!, w!, b!), 0)).toBeNull();
  });

  for (const device of ["cpu", "webgl"]) {
    it(`fused random elementwise graphs on ${device} match the unfused reference`, async () => {
      await tf.ready(device);
      let fused = 0;
      fc.assert(
        fc.property(randomGraph, fc.nat(1000), (g, seed) => {
          const f = build(g);
          const xs = tf.withDevice("reference", () => inputsFor(g, seed));
          const expected = tf.withDevice("reference", () => f(...xs));
          const compiled = tf.compile(f);
          const moved = xs.map((x) => x.to(device));
          const got = compiled(...moved);
          fused += compiled.concrete(...moved).kernels.filter((k) => k.fused && k.device === device).length;
          const why = agree(got.to("reference"), expected, 1e-4);
          if (why) throw new Error(`${why}\n${compiled.concrete(...xs).toString()}`);
        }),
        { numRuns: 15, seed: 9 },
      );
      expect(fused).toBeGreaterThan(3);
    });
  }
});
