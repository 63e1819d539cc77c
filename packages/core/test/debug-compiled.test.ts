/**
 * The debugging tools on compiled programs: each fused kernel is one op to them, named after
 * the ops it fuses, with the kernel path "fused program": the profiler times it (and charges
 * no other op for it), the numerics check names it, and the trace covers it.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("debugging tools on compiled programs", () => {
  it("the profile lists each fused kernel as one op with the path 'fused program'", async () => {
    const w = tf.tensor([[1, -2], [3, 4], [0.5, 1]]);
    const b = tf.tensor([0.1, -0.2]);
    const f = tf.compile((x: tf.Tensor) => tf.relu(tf.add(tf.matMul(x, w), b)).mul(2).add(1).sum());
    const x = tf.tensor([[1, 2, 3], [-1, 0, 1]]);
    f(x).dispose();
    const p = await tf.profile(() => f(x));
    const kernels = f.concrete(x).kernels;
    expect(p.ops.filter((o) => o.depth === 0).map((o) => o.op)).toEqual(kernels.map((k) => (k.ops.length > 1 ? `${k.head ? "epilogue" : "fused"}[${k.ops.join(">")}]` : k.ops[0])));
    const fused = p.ops.filter((o) => o.path === "fused program");
    expect(fused.length).toBe(kernels.filter((k) => k.fused).length);
    expect(fused.length).toBeGreaterThan(0);
    expect(p.table()).toContain("fused program");
    const trace = JSON.parse(p.toChromeTrace()) as { traceEvents: { name: string }[] };
    for (const o of p.ops) expect(trace.traceEvents.some((e) => e.name === o.op)).toBe(true);
    expect(Array.from(p.result.dataSync())).toEqual(Array.from(tf.relu(tf.add(tf.matMul(x, w), b)).mul(2).add(1).sum().dataSync()));
  });

  it("the numerics check names the fused kernel that made a NaN", () => {
    const f = tf.compile((x: tf.Tensor) => tf.log(tf.sub(x, 1)).mul(3));
    const x = tf.tensor([2, 0.5, 3]);
    f(x).dispose();
    expect(() => tf.withCheckNumerics(() => f(x))).toThrow(/fused\[sub>log>mul\].*1 NaN/s);
  });
});
