/**
 * Constant folding on the cpu backend: the folded part of a compiled function is computed by the
 * reference backend (bit-identical to the reference evaluation) and no folded op runs on cpu.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-cpu";

beforeAll(async () => {
  await tf.ready("cpu");
});

const bits = (t: tf.Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));

describe("compile: constant folding on cpu", () => {
  it("a folded constant subexpression equals the reference evaluation bit for bit; only the rest runs on cpu", () => {
    const values = Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.37) * 6);
    const c = tf.withDevice("cpu", () => tf.tensor(values));
    const folded = (x: tf.Tensor) => x.mul(tf.tanh(tf.exp(c.mul(0.5)).sub(tf.log1p(c.abs()))));
    const g = tf.compile(folded);
    const x = tf.withDevice("cpu", () => tf.ones([4096]));
    tf.resetPlacementReport();
    const y = g(x);
    const ops = tf.placementReport().ops;
    expect(Object.keys(ops["cpu"] ?? {})).toEqual(["mul"]);
    expect(ops["cpu"]!["mul"]).toBe(1);
    expect(ops["reference"]).toMatchObject({ exp: 1, tanh: 1, log1p: 1, abs: 1, sub: 1 });
    expect(y.device).toBe("cpu");
    const want = tf.withDevice("reference", () => folded(x.to("reference")));
    expect(bits(y)).toEqual(bits(want));
    expect(bits(g(x))).toEqual(bits(want));
  });
});
