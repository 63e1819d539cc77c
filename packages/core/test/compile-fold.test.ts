/**
 * Constant folding under compile: an op on values only runs once, while tracing, on the reference
 * backend; the folded constant is uploaded once to the device the program runs on and reused;
 * values made from it (a variable) land where eager code would put them.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend } from "@eager/core/backend";

tf.registerBackend("foldDevice", () => createReferenceBackend("foldDevice"), { priority: -5 });

const bits = (t: tf.Tensor): number[] => Array.from(new Uint32Array(new Float32Array(t.dataSync() as Float32Array).buffer));

describe("compile: constant folding", () => {
  it("folds a constant subexpression on the reference backend, runs none of it on the device, uploads it once", () => {
    const c = tf.withDevice("foldDevice", () => tf.tensor([0.1, 0.7, -1.3, 2.9, 5.5]));
    const f = (x: tf.Tensor) => x.add(tf.exp(c).mul(tf.sin(c)).div(7));
    const g = tf.compile(f);
    const x = tf.tensor([1, 2, 3, 4, 5]).to("foldDevice");
    tf.resetPlacementReport();
    const ys = [0, 1, 2].map(() => g(x));
    const report = tf.placementReport();
    expect(report.ops["foldDevice"]).toEqual({ add: 3 });
    expect(report.ops["reference"]).toEqual({ exp: 1, sin: 1, mul: 1, div: 1 });
    // c moved to the reference backend for each folded op that reads it (exp, sin), while tracing;
    // the folded constant moved to the device once, for three calls.
    expect(report.moves["foldDevice->reference"]?.count).toBe(2);
    expect(report.moves["reference->foldDevice"]?.count).toBe(1);
    const want = tf.withDevice("reference", () => f(x.to("reference")));
    for (const y of ys) expect(bits(y)).toEqual(bits(want));
    expect(g.concrete(x).ops).toEqual(["add"]);
  });

  it("a folded constant returned by the program lands on the default device, unplaced", () => {
    const c = tf.tensor([1, 2, 3]);
    const g = tf.compile(() => tf.square(c).add(1));
    const y = g();
    expect(y.arraySync()).toEqual([2, 5, 10]);
    expect(y.device).toBe(tf.getDefaultDevice());
  });

  it("an op on a variable is not folded, and a variable made from a folded value lands where eager code would put it", () => {
    const v = tf.variable(tf.tensor([1, 2]), { name: "foldVar" });
    let made: tf.Variable | null = null;
    const g = tf.compile((x: tf.Tensor) => {
      made ??= tf.variable(tf.tensor([3, 4]).mul(2), { name: "made" });
      return x.mul(v).add(made);
    });
    expect(g(tf.ones([2])).arraySync()).toEqual([7, 10]);
    v.assign(tf.tensor([10, 20]));
    expect(g(tf.ones([2])).arraySync()).toEqual([16, 28]);
    expect(made!.device).toBe(tf.getDefaultDevice());
    expect(g.concrete(tf.ones([2])).ops).toEqual(["mul", "add"]);
  });
});
