/**
 * Optional ops on a backend that has only the required kernels: they run as their
 * decompositions on that device (no fallback, no bytes moved, reported as decomposed), free
 * their intermediates, differentiate with the op's own gradient rule, and work on a backend
 * that reads only asynchronously. A backend without synchronous reads that lacks a required
 * kernel is refused at registration, naming what it lacks.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import {
  createReferenceBackend,
  decomposeAlways,
  missingRequired,
  optionalOps,
  registerBackend,
  removeBackend,
  requiredOps,
  isRequired,
  type Backend,
  type TypedArray,
} from "@eager/core/backend";

/** The reference backend with only the required kernels. */
function requiredOnly(name: string, options: { asyncOnly?: boolean; drop?: readonly string[] } = {}): Backend<TypedArray> {
  const base = createReferenceBackend(name);
  const kernels = Object.fromEntries(Object.entries(base.kernels).filter(([op]) => isRequired(op) && !options.drop?.includes(op)));
  const backend: Backend<TypedArray> = { ...base, name, kernels };
  if (!options.asyncOnly) return backend;
  const { readSync: _sync, ...rest } = backend;
  return { ...rest, capabilities: { ...base.capabilities, kind: "other", syncRead: false } };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync() as ArrayLike<number>);

afterEach(() => {
  for (const name of ["req", "reqasync", "partialasync"]) removeBackend(name);
  tf.setFallbackPolicy("warn");
});

describe("the required set", () => {
  it("is the ops without a decomposition, and every other op has one", () => {
    expect(requiredOps.length + optionalOps.length).toBe(tf.opNames.length);
    expect(requiredOps).toContain("add");
    expect(requiredOps).toContain("matmul");
    expect(optionalOps).toContain("sigmoid");
    expect(optionalOps).toContain("conv2d");
    expect(isRequired("mean")).toBe(false);
    expect(isRequired("nonsense")).toBe(false);
  });
});

describe("optional ops on a backend with only the required kernels", () => {
  it("run as their decomposition on that device, with nothing moved and no fallback", () => {
    registerBackend("req", () => requiredOnly("req"), { priority: -5 });
    tf.setFallbackPolicy("error");
    tf.resetPlacementReport();
    const x = tf.withDevice("req", () => tf.tensor([[-2, -0.5], [0.5, 3]]));
    const y = tf.withDevice("req", () => tf.sigmoid(x));
    expect(y.device).toBe("req");
    const want = [-2, -0.5, 0.5, 3].map((v) => 1 / (1 + Math.exp(-v)));
    values(y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    const m = tf.withDevice("req", () => tf.mean(x, 1));
    expect(values(m)).toEqual([-1.25, 1.75]);
    const report = tf.placementReport();
    expect(report.decomposed["req"]).toEqual({ sigmoid: 1, mean: 1 });
    expect(report.fallbacks).toEqual([]);
    expect(report.bytesMoved).toBe(0);
    expect(report.ops["req"]?.["exp"]).toBe(1);
    for (const t of [x, y, m]) t.dispose();
  });

  it("free every intermediate tensor", () => {
    registerBackend("req", () => requiredOnly("req"), { priority: -5 });
    const x = tf.withDevice("req", () => tf.tensor([0.1, 0.2, 0.3]));
    const before = tf.memory().numTensors;
    const y = tf.withDevice("req", () => tf.gelu(x));
    expect(tf.memory().numTensors).toBe(before + 1);
    for (const t of [x, y]) t.dispose();
  });

  it("keep their outputs unplaced when the device was the default, as a kernel would", () => {
    registerBackend("req", () => requiredOnly("req"), { priority: 100 });
    const x = tf.tensor([1, 2]);
    expect(x.device).toBe("req");
    const y = tf.softplus(x);
    expect(y._placed).toBe(false);
    const z = tf.withDevice("req", () => tf.softplus(x));
    expect(z._placed).toBe(true);
    for (const t of [x, y, z]) t.dispose();
  });

  it("differentiate with the op's own gradient rule, to second order", () => {
    registerBackend("req", () => requiredOnly("req"), { priority: -5 });
    const f = (x: tf.Tensor) => tf.sum(tf.softplus(x));
    const [dx] = tf.withDevice("req", () => tf.gradientsFunction(f)(tf.tensor([-1, 0, 2])));
    values(dx!).forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-[-1, 0, 2][i]!)), 6));
    const g = (x: tf.Tensor) => tf.sum(tf.gradientsFunction(f)(x)[0]!);
    const [ddx] = tf.withDevice("req", () => tf.gradientsFunction(g)(tf.tensor([0.5])));
    const s = 1 / (1 + Math.exp(-0.5));
    expect(values(ddx!)[0]).toBeCloseTo(s * (1 - s), 6);
  });

  it("include convolutions and pools, which match the reference kernels", () => {
    registerBackend("req", () => requiredOnly("req"), { priority: -5 });
    tf.setFallbackPolicy("error");
    const x = tf.randomUniform([2, 5, 5, 3], -1, 1, "float32", 1);
    const f = tf.randomUniform([3, 3, 3, 4], -1, 1, "float32", 2);
    const onRef = [tf.conv2d(x, f, 2, "same"), tf.maxPool(x, 3, 2, "same"), tf.avgPool(x, 2, 1, "valid")];
    const xr = x.to("req");
    const fr = f.to("req");
    const onReq = tf.withDevice("req", () => [tf.conv2d(xr, fr, 2, "same"), tf.maxPool(xr, 3, 2, "same"), tf.avgPool(xr, 2, 1, "valid")]);
    onReq.forEach((t, i) => {
      expect(t.device).toBe("req");
      const want = values(onRef[i]!);
      values(t).forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 5));
    });
    expect(Object.keys(tf.placementReport().decomposed["req"] ?? {})).toEqual(expect.arrayContaining(["conv2d", "maxPool", "avgPool"]));
  });
});

describe("decomposeAlways", () => {
  it("runs the decomposition even where the device has a kernel, for the named op only", () => {
    tf.resetPlacementReport();
    const x = tf.tensor([0.25, 4]);
    const y = decomposeAlways("rsqrt", () => tf.rsqrt(x));
    expect(values(y)).toEqual([2, 0.5]);
    expect(tf.placementReport().decomposed["reference"]).toEqual({ rsqrt: 1 });
    for (const t of [x, y]) t.dispose();
  });
});

describe("a backend that reads only asynchronously", () => {
  it("runs optional ops as decompositions on itself once it has every required op", async () => {
    registerBackend("reqasync", () => requiredOnly("reqasync", { asyncOnly: true }), { priority: -5 });
    tf.setFallbackPolicy("error");
    const x = tf.withDevice("reqasync", () => tf.tensor([[1, -2], [3, 0.5]]));
    const y = tf.withDevice("reqasync", () => tf.relu6(tf.mul(tf.logSoftmax(x), -3)));
    expect(y.device).toBe("reqasync");
    expect(() => y.dataSync()).toThrow(tf.BackendCapabilityError);
    const got = Array.from((await y.data()) as ArrayLike<number>);
    const lse = (a: number, b: number) => Math.log(Math.exp(a) + Math.exp(b));
    const want = [1 - lse(1, -2), -2 - lse(1, -2), 3 - lse(3, 0.5), 0.5 - lse(3, 0.5)].map((v) => Math.min(Math.max(-3 * v, 0), 6));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    for (const t of [x, y]) t.dispose();
  });

  it("is refused when it lacks a required kernel, with the missing ops named", async () => {
    const partial = requiredOnly("partialasync", { asyncOnly: true, drop: ["sin", "topk"] });
    expect(missingRequired(partial)).toEqual(["sin", "topk"]);
    registerBackend("partialasync", () => partial, { priority: -5 });
    await expect(tf.ready("partialasync")).rejects.toThrow(/"partialasync" reads only asynchronously, so it must provide every required op; it lacks 2: sin, topk/);
  });

  it("is accepted with a partial kernel table when it can read synchronously (missing ops fall back)", async () => {
    registerBackend("partialasync", () => requiredOnly("partialasync", { drop: ["sin"] }), { priority: -5 });
    await tf.ready("partialasync");
    tf.setFallbackPolicy("auto");
    const y = tf.withDevice("partialasync", () => tf.sin(tf.tensor([0])));
    expect(y.device).toBe("reference");
    y.dispose();
  });
});
