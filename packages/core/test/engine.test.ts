/**
 * The engine object and the resolved op record: kernels receive one record per call (with a
 * convolution's window geometry as its plan), and `resetEngine()` gives a clean slate.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { conv2dGeometry, createReferenceBackend, engine, registerBackend, removeBackend, resetEngine, type ResolvedOp } from "@eager/core/backend";

afterEach(() => removeBackend("spy"));

/** A reference backend whose add and conv2d kernels keep the record they were given. */
function spyBackend(seen: ResolvedOp[]) {
  const b = createReferenceBackend("spy");
  const kernels = b.kernels as Record<string, (...args: unknown[]) => void>;
  for (const name of ["add", "conv2d"]) {
    const inner = kernels[name]!;
    kernels[name] = (i: unknown, o: unknown, a: unknown, op: unknown) => {
      seen.push(op as ResolvedOp);
      inner(i, o, a, op);
    };
  }
  return b;
}

describe("the resolved op record", () => {
  it("carries the op, the kernel views, the attrs, the device and the plan", async () => {
    const seen: ResolvedOp[] = [];
    registerBackend("spy", () => spyBackend(seen), { priority: -1 });
    const attrs = { strides: [2, 2] as [number, number], pad: { top: 1, bottom: 1, left: 1, right: 1 }, dilations: [1, 1] as [number, number] };
    const x = tf.withDevice("spy", () => tf.ones([1, 5, 5, 2]));
    const f = tf.withDevice("spy", () => tf.ones([3, 3, 2, 4]));
    const y = tf.conv2d(x, f, 2, 1);
    const sum = tf.add(x, 1);
    expect(seen.map((r) => r.def.name)).toEqual(["conv2d", "add"]);
    const conv = seen[0]!;
    expect(conv.device).toBe("spy");
    expect(conv.inputs.map((t) => t.shape)).toEqual([[1, 5, 5, 2], [3, 3, 2, 4]]);
    expect(conv.outputs.map((t) => t.shape)).toEqual([[1, 3, 3, 4]]);
    expect(conv.attrs).toMatchObject({ strides: attrs.strides, pad: attrs.pad });
    expect(conv.plan).toEqual(conv2dGeometry("conv2d", [1, 5, 5, 2], [3, 3, 2, 4], attrs));
    expect(conv.plan).toMatchObject({ oh: 3, ow: 3, kh: 3, kw: 3, sh: 2, pt: 1 });
    expect(seen[1]!.plan).toBeUndefined();
    // Corner output: a 2x2 window of ones over 2 channels.
    expect((await y.data())[0]).toBe(8);
    for (const t of [x, f, y, sum]) t.dispose();
  });
});

describe("the engine object", () => {
  it("holds the registry, placement log, memory counts and random state; resetEngine clears the log and the random stream", () => {
    expect(engine.backends.has("reference")).toBe(true);
    tf.setRandomSeed(7);
    const first = Array.from(tf.randomUniform([3]).dataSync());
    tf.setDefaultDevice("reference");
    tf.add(1, 2).dispose();
    expect(Object.keys(tf.placementReport().ops)).not.toEqual([]);
    expect(engine.deviceStats.get("reference")!.buffers).toBeGreaterThan(0);

    resetEngine();
    expect(tf.placementReport().ops).toEqual({});
    expect(engine.explicitDefault).toBeNull();
    tf.setRandomSeed(7);
    expect(Array.from(tf.randomUniform([3]).dataSync())).toEqual(first);
    expect(engine.randomCounter).toBe(1);
  });
});
