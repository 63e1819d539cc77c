/**
 * Public elementwise functions: each is checked against its op's record when core loads (a
 * name that is not a unary or binary op fails at once); softsign and squaredDifference are
 * functions and tensor methods like the others.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("public elementwise functions", () => {
  it("include softsign and squaredDifference, as functions and methods", () => {
    expect(Array.from(tf.softsign([1, -3]).dataSync())).toEqual([0.5, -0.75]);
    expect(Array.from(tf.squaredDifference([1, 4], 2).dataSync())).toEqual([1, 4]);
    const x = tf.tensor([3, -1]);
    expect(Array.from(x.squaredDifference(1).dataSync())).toEqual([4, 4]);
    expect(Array.from(x.softsign().dataSync())).toEqual([0.75, -0.5]);
    x.dispose();
  });
});
