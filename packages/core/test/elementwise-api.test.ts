/**
 * Public elementwise functions and methods: every unary and binary op of the table is an export
 * of the same name and arity and a tensor method (the methods are built from the table, the
 * exports' types checked against the records at compile time); softsign and squaredDifference
 * work as functions and methods.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { opTable } from "../src/ops/table.js";
import { elementwiseMethods } from "../src/api/elementwise.js";

describe("public elementwise functions", () => {
  it("include softsign and squaredDifference, as functions and methods", () => {
    expect(Array.from(tf.softsign([1, -3]).dataSync())).toEqual([0.5, -0.75]);
    expect(Array.from(tf.squaredDifference([1, 4], 2).dataSync())).toEqual([1, 4]);
    const x = tf.tensor([3, -1]);
    expect(Array.from(x.squaredDifference(1).dataSync())).toEqual([4, 4]);
    expect(Array.from(x.softsign().dataSync())).toEqual([0.75, -0.5]);
    x.dispose();
  });

  it("cover every unary and binary op of the table (stopGradient aside), each exported under its own name", () => {
    const ops = Object.entries(opTable)
      .filter(([name, def]) => (def.family === "unary" || def.family === "binary") && def.arity > 0 && name !== "stopGradient")
      .map(([name]) => name)
      .sort();
    const methods = Object.keys(elementwiseMethods).filter((k) => k in opTable && (opTable as Record<string, { family: string }>)[k]!.family !== "ternary" && k !== "cast");
    expect(methods.sort()).toEqual(ops);
    const exports = tf as unknown as Record<string, unknown>;
    for (const op of ops) {
      const fn = exports[op] as ((...a: unknown[]) => unknown) | undefined;
      expect(typeof fn, op).toBe("function");
      expect(fn!.name, op).toBe(op);
      expect(elementwiseMethods[op]!.name, op).toBe(op);
    }
    expect(tf.add.length).toBe(2);
    expect(tf.relu.length).toBe(1);
  });

  it("run the op of their name: unary and binary, as functions and methods", () => {
    expect(Array.from(tf.neg([1, -2]).dataSync())).toEqual([-1, 2]);
    expect(Array.from(tf.sub([5], [2]).dataSync())).toEqual([3]);
    const x = tf.tensor([4, 9]);
    expect(Array.from(x.sqrt().dataSync())).toEqual([2, 3]);
    expect(Array.from(x.maximum(5).dataSync())).toEqual([5, 9]);
    expect(Array.from(x.clipByValue(5, 6).dataSync())).toEqual([5, 6]);
    x.dispose();
  });
});
