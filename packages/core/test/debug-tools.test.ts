/**
 * The debugging tools on the reference backend and a test backend with one planted wrong
 * kernel: checkParity names the wrong op and the line; the numerics check names the op and
 * line of a planted NaN; the profile covers every op and its trace parses; checkLeaks finds a
 * planted leak at its creation site. And with every tool off, dispatch carries no observer.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createNullBackend, createReferenceBackend, decomposeAlways, engine, registerBackend, type KernelTensor } from "@eager/core/backend";

/** The reference backend with a tanh that adds 1 (the planted divergence). */
registerBackend(
  "wrongtanh",
  () => {
    const b = createReferenceBackend("wrongtanh");
    const tanh = b.kernels.tanh!;
    const kernels = { ...b.kernels, tanh: (i: readonly KernelTensor[], o: readonly KernelTensor[], a: unknown) => {
      (tanh as (i: readonly KernelTensor[], o: readonly KernelTensor[], a: unknown) => void)(i, o, a);
      const out = o[0]!.data as Float32Array;
      for (let k = 0; k < out.length; k++) out[k]! += 1;
    } };
    return { ...b, kernels, capabilities: { ...b.capabilities, kernelPath: "JS test" } };
  },
  { priority: -5, defaultDevice: false },
);

/** A partial backend with no kernels: every op falls back to the reference. */
registerBackend("nullpartial", () => {
  const b = createNullBackend({ name: "nullpartial", ops: [] });
  return { ...b, capabilities: { ...b.capabilities, ops: [] } };
}, { priority: -6, defaultDevice: false });
tf.setFallbackPolicy("auto");

afterEach(() => {
  expect(engine.opObserver).toBeNull();
  expect(engine.tensorObserver).toBeNull();
});

function lineOf(marker: string): number {
  const stack = new Error().stack!;
  const file = /\((.*debug-tools\.test\.ts):\d+:\d+\)/.exec(stack)![1]!;
  const src = require("node:fs").readFileSync(file.replace(/^file:\/\//, ""), "utf8") as string;
  return src.split("\n").findIndex((l) => l.includes(marker)) + 1;
}

describe("checkParity", () => {
  it("names the planted wrong kernel, its inputs, errors, first index and the user's line", async () => {
    const x = tf.tensor([[0.5, -1, 2], [0, 1, -2]]);
    const r = await tf.checkParity((a: tf.Tensor) => {
      const h = tf.mul(a, 2);
      const t = tf.tanh(h); // PLANTED-DIVERGENCE
      return tf.sum(tf.exp(t));
    }, [x], { devices: ["wrongtanh"], print: false });
    expect(r.ok).toBe(false);
    const v = r.devices[0]!.divergence!;
    expect(v.op).toBe("tanh");
    expect(v.index).toBe(1);
    expect(v.inputs).toEqual([{ shape: [2, 3], dtype: "float32" }]);
    expect(v.maxAbsError).toBeCloseTo(1, 5);
    expect(v.firstIndex).toBe(0);
    expect(v.firstCoords).toEqual([0, 0]);
    expect(v.expected).toBeCloseTo(Math.tanh(1), 6);
    expect(v.actual).toBeCloseTo(Math.tanh(1) + 1, 6);
    expect(v.inputError).toBe(0);
    expect(v.callSite).toContain(`debug-tools.test.ts:${lineOf("PLANTED-DIVERGENCE")}:`);
    expect(String(r)).toMatch(/wrongtanh: first divergence at op #1 tanh, called at .*debug-tools\.test\.ts/);
    expect(String(r)).toContain("first at [0,0] (flat 0)");
    x.dispose();
  });

  it("works with gradients inside the function and with layers, and reports agreement", async () => {
    const dense = new tf.layers.Dense({ units: 3, activation: "relu", kernelInitializer: tf.layers.initializers.glorotUniform({ seed: 3 }) });
    const x = tf.tensor([[1, 2], [3, -4]]);
    const fn = (a: tf.Tensor) => tf.valueAndGradientsFunction((v: tf.Tensor) => tf.sum(tf.square(dense.apply(v) as tf.Tensor)))(a);
    const same = await tf.checkParity(fn, [x], { devices: ["reference"], print: false });
    expect(same.ok).toBe(true);
    expect(same.ops).toBeGreaterThan(5);
    expect(String(same)).toContain(`reference: all ${same.ops} ops agree (max abs error 0)`);
    // With a tanh activation the backward pass runs the wrong kernel too.
    const wrong = await tf.checkParity((a: tf.Tensor) => tf.gradientsFunction((v: tf.Tensor) => tf.sum(tf.tanh(v)))(a), [x], { devices: ["wrongtanh"], print: false });
    expect(wrong.devices[0]!.divergence!.op).toBe("tanh");
    x.dispose();
    dense.dispose();
  });
});

describe("checkParity on compiled functions", () => {
  it("checks a compiled function op by op (its unfused program) and names the wrong op", async () => {
    const x = tf.tensor([[0.5, -1, 2], [0, 1, -2]]);
    const f = tf.compile((a: tf.Tensor) => tf.sum(tf.exp(tf.tanh(tf.mul(a, 2)))));
    const wrong = await tf.checkParity((a: tf.Tensor) => f(a), [x], { devices: ["wrongtanh"], print: false });
    expect(wrong.devices[0]!.divergence!.op).toBe("tanh");
    expect(wrong.devices[0]!.divergence!.index).toBe(1);
    const same = await tf.checkParity(f, [x], { devices: ["reference"], print: false });
    expect(same.ok).toBe(true);
    expect(same.ops).toBe(4);
    expect(engine.compiledAsSource).toBe(false);
    expect(((await f(x).data()) as Float32Array)[0]).toBeCloseTo([1, -2, 4, 0, 2, -4].reduce((s, v) => s + Math.exp(Math.tanh(v)), 0), 4);
    x.dispose();
  });
});

describe("numerics checking", () => {
  it("throws a NumericsError naming the op, the output, the count, the inputs and the line", () => {
    const x = tf.tensor([0, 2, 1, 4]);
    tf.enableCheckNumerics();
    let err: Error | null = null;
    try {
      const s = tf.sqrt(x); // finite
      tf.log(tf.sub(x, 1)); // PLANTED-NAN
      s.dispose();
    } catch (e) {
      err = e as Error;
    } finally {
      tf.disableCheckNumerics();
    }
    expect(err).toBeInstanceOf(tf.NumericsError);
    expect(err!.message).toMatch(/^log on "reference" produced 1 NaN and 1 infinite values in output 0 \(float32\[4\], first at flat index 0\) from finite inputs \(float32\[4\]\)/);
    expect(err!.message).toContain(`debug-tools.test.ts:${lineOf("PLANTED-NAN")}:`);
    x.dispose();
  });

  it("passes through NaN that came in with the inputs, and is scoped by withCheckNumerics", () => {
    const nan = tf.tensor([NaN, 1]);
    const y = tf.withCheckNumerics(() => tf.add(nan, 1));
    expect(Number.isNaN(y.dataSync()[0]!)).toBe(true);
    expect(() => tf.withCheckNumerics(() => tf.div(1, tf.tensor([0])))).toThrow(/div on "reference" produced 1 infinite value/);
    expect(tf.isCheckNumericsEnabled()).toBe(false);
    expect(tf.div(1, tf.tensor([0])).dataSync()[0]).toBe(Infinity); // off again
    nan.dispose();
    y.dispose();
  });
});

describe("profile", () => {
  it("records every op with device, kernel path, shapes, time and bytes; its trace parses and covers every op", async () => {
    const a = tf.tensor([[1, 2], [3, 4]]);
    const p = await tf.profile(() => tf.tidy(() => tf.sum(tf.relu(tf.matmul(a, a)))));
    expect(p.ops.map((o) => o.op)).toEqual(["matmul", "relu", "sum"]);
    for (const o of p.ops) {
      expect(o.device).toBe("reference");
      expect(o.path).toBe("JS reference");
      expect(o.wallMs).toBeGreaterThanOrEqual(0);
      expect(o.timeSource).toBe("host");
    }
    expect(p.ops[0]!.inputShapes).toEqual([[2, 2], [2, 2]]);
    expect(p.ops[0]!.bytes).toBe(16);
    expect(p.byOp["matmul"]!.count).toBe(1);
    expect(p.byDevice["reference"]!.count).toBe(3);
    expect(p.table()).toMatch(/^op\s+device\s+kernel\s+time\s+calls\s+total ms/);
    const trace = JSON.parse(p.toChromeTrace()) as { traceEvents: { name: string; ph: string; ts: number; dur: number; tid: number }[] };
    const spans = trace.traceEvents.filter((e) => e.ph === "X");
    expect(spans.map((e) => e.name)).toEqual(p.ops.map((o) => o.op));
    for (const e of spans) expect(e.dur).toBeGreaterThan(0);
    expect(trace.traceEvents.some((e) => e.ph === "M" && e.name === "thread_name")).toBe(true);
    (p.result as tf.Tensor).dispose();
    const t = await tf.time(() => tf.tidy(() => { tf.matmul(a, a); }));
    expect(t.ops).toEqual({ reference: 1 });
    expect(t.wallMs).toBeGreaterThanOrEqual(t.kernelMs);
    a.dispose();
  });

  it("marks decompositions and their steps, fallbacks and the wrong backend's kernel path", async () => {
    const x = tf.tensor([[1, 2, 3]]);
    const p = await tf.profile(() => tf.tidy(() => { tf.withDevice("wrongtanh", () => tf.tanh(x)); }));
    expect(p.ops.map((o) => [o.op, o.device, o.path])).toEqual([["tanh", "wrongtanh", "JS test"]]);
    const d = await tf.profile(() => decomposeAlways("square", () => tf.tidy(() => { tf.square(x); })));
    expect(d.ops.map((o) => [o.op, o.path, o.depth])).toEqual([["square", "decomposition", 0], ["mul", "JS reference", 1]]);
    expect(d.byOp).toEqual({ square: expect.objectContaining({ count: 1 }) });
    const f = await tf.profile(() => tf.tidy(() => { tf.withDevice("nullpartial", () => tf.add(x, x)); }));
    expect(f.ops.map((o) => [o.op, o.device, o.path])).toEqual([["add", "reference", "fallback (JS reference)"]]);
    x.dispose();
  });
});

describe("leak finder", () => {
  it("checkLeaks finds a planted leak at its creation site, grouped, and spares returned tensors", () => {
    const x = tf.tensor([1, 2, 3]);
    const kept: tf.Tensor[] = [];
    const r = tf.checkLeaks(() => {
      for (let i = 0; i < 3; i++) kept.push(tf.exp(x)); // PLANTED-LEAK
      tf.tidy(() => { tf.square(x); });
      return tf.neg(x);
    });
    expect(r.leaked).toBe(3);
    expect(r.returned).toBe(1);
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]!.op).toBe("exp");
    expect(r.groups[0]!.count).toBe(3);
    expect(r.groups[0]!.bytes).toBe(36);
    expect(r.groups[0]!.site).toContain(`debug-tools.test.ts:${lineOf("PLANTED-LEAK")}:`);
    expect(String(r)).toMatch(/3 x exp -> float32\[3\] on reference \(36 bytes\), made at .*debug-tools\.test\.ts/);
    for (const t of kept) t.dispose();
    expect(tf.checkLeaks(() => tf.tidy(() => { tf.exp(x); })).leaked).toBe(0);
    (r.result as tf.Tensor).dispose();
    x.dispose();
  });

  it("memory({ verbose: true }) lists live tensors with op and site while tracking was on", () => {
    tf.enableLeakTracking();
    const a = tf.tensor([1, 2]); // TRACKED-TENSOR
    const b = tf.add(a, 1);
    tf.disableLeakTracking();
    const m = tf.memory({ verbose: true });
    const mine = m.tensors.filter((t) => t.id === a.id || t.id === b.id);
    expect(mine.map((t) => [t.op, t.dtype, t.shape, t.device])).toEqual([["tensor", "float32", [2], "reference"], ["add", "float32", [2], "reference"]]);
    expect(mine[0]!.site).toContain(`debug-tools.test.ts:${lineOf("TRACKED-TENSOR")}:`);
    expect(m.numTensors).toBe(m.tensors.length + m.untracked);
    a.dispose();
    b.dispose();
    expect(tf.memory({ verbose: true }).tensors.some((t) => t.id === a.id)).toBe(false);
  });
});
