/**
 * The conformance suite on the reference backend itself (float32, int32 and bool results
 * against its own float64 results), and on a null backend to test placement: every op
 * dispatches there with the shapes `infer` declares (the null backend computes nothing).
 */
import { describe, expect, it } from "vitest";
import { conformanceSuite, type KnownFailure } from "@eager/conformance";
import { createNullBackend, createReferenceBackend, opTable, registerBackend, type Backend, type OpName, type RefTensor, type TypedArray } from "@eager/core/backend";

/** Cases the reference backend gets wrong today, each with the bug. */
const referenceKnownFailures: KnownFailure[] = [];

// The reference is single-threaded, so its large shape class only needs to show the kernels
// scale; other backends keep the default size, above their threading thresholds.
conformanceSuite({ device: "reference", describe, it, dtypes: ["float32", "int32", "bool"], largeSize: 8191, knownFailures: referenceKnownFailures });

const nullBackend = createNullBackend({ name: "nullconf" });
registerBackend("nullconf", () => nullBackend, { priority: -1 });

conformanceSuite({
  device: "nullconf",
  describe,
  it,
  compareValues: false,
  afterRun: ({ op, case: c, outputs }) => {
    const calls = nullBackend.calls.splice(0);
    if (!outputs.some((t) => t.size > 0)) {
      // Core skips kernels whose outputs hold no elements.
      expect(calls.filter((k) => k.op === op && k.outputShapes.every((s) => s.includes(0)))).toEqual([]);
      return;
    }
    const last = calls[calls.length - 1];
    expect(last?.op).toBe(op);
    expect(last!.inputShapes).toEqual(c.shapes.map((s) => [...s]));
    expect(last!.outputShapes).toEqual(c.outputs.map((s) => [...s.shape]));
  },
});

describe("null backend bookkeeping", () => {
  it("frees every buffer it allocated once the suite's tensors are disposed", () => {
    expect(nullBackend.liveBuffers).toBe(0);
  });
});

describe("the suite itself", () => {
  // A backend that is the reference except for an exp kernel that is off in its first element,
  // a square kernel (optional) that is off too, no sin kernel (required) and no relu6 kernel
  // (optional): the suite must fail exp, square and the missing sin, and run relu6 as its decomposition.
  const base = createReferenceBackend("brokenconf");
  const { relu6: _relu6, sin: _sin, ...kernels } = base.kernels;
  const offByOne = (op: "exp" | "square") => (inputs: readonly RefTensor[], outputs: readonly RefTensor[], attrs: Record<string, never>) => {
    opTable[op].ref(inputs, outputs, attrs);
    outputs[0]!.data[0] = outputs[0]!.data[0]! + 1e-3;
  };
  const broken: Backend<TypedArray> = { ...base, kernels: { ...kernels, exp: offByOne("exp"), square: offByOne("square") } };
  registerBackend("brokenconf", () => broken, { priority: -2 });
  // The same backend declaring itself partial: it lists the ops it has, so sin is not claimed.
  const partial: Backend<TypedArray> = { ...broken, name: "partialconf", capabilities: { ...broken.capabilities, ops: Object.keys(broken.kernels) as OpName[] } };
  registerBackend("partialconf", () => partial, { priority: -2 });

  type Collected = { name: string; fn?: () => unknown; skipped: boolean };
  const collectInto = (tests: Collected[]) =>
    Object.assign((name: string, fn: () => unknown) => void tests.push({ name, fn, skipped: false }), {
      skip: (name: string) => void tests.push({ name, skipped: true }),
    });
  const tests: Collected[] = [];
  conformanceSuite({ device: "brokenconf", describe: (_name, fn) => fn(), it: collectInto(tests), ops: ["exp", "relu6", "sin", "square"], largeSize: 0 });
  const partialTests: Collected[] = [];
  conformanceSuite({ device: "partialconf", describe: (_name, fn) => fn(), it: collectInto(partialTests), ops: ["sin"], largeSize: 0 });

  it("fails every exp case with elements and passes the empty ones", async () => {
    const exp = tests.filter((t) => t.name.startsWith("exp ") && !t.skipped);
    expect(exp.length).toBeGreaterThan(10);
    for (const t of exp) {
      const empty = /\[(\d+,)*0(,\d+)*\]/.test(t.name);
      if (empty) await expect(t.fn!()).resolves.toBeUndefined();
      else await expect(t.fn!(), t.name).rejects.toThrow(/exp output 0 on "brokenconf" differs from the reference/);
    }
  });

  it("fails a required op the device declares (by not being partial) but has no kernel for, never skipping it", async () => {
    const sin = tests.filter((t) => t.name.startsWith("sin"));
    expect(sin.map((t) => [t.name, t.skipped])).toEqual([["sin: every declared case is valid for some dtype", false], ["sin: the device declares this required op but has no kernel for it", false]]);
    await expect(async () => sin[1]!.fn!()).rejects.toThrow(/"brokenconf" has no sin kernel/);
  });

  it("skips a required op a partial backend does not list, naming the reason", () => {
    expect(partialTests.filter((t) => !t.skipped && t.name !== "sin: every declared case is valid for some dtype")).toEqual([]);
    expect(partialTests.some((t) => t.skipped && /^sin: not declared by the device \(capabilities.ops\)/.test(t.name))).toBe(true);
  });

  it("runs an optional op without a kernel as its decomposition and passes", async () => {
    const relu6 = tests.filter((t) => t.name.startsWith("relu6 ") && !t.skipped);
    expect(relu6.length).toBeGreaterThan(10);
    for (const t of relu6) {
      expect(t.name).toMatch(/\(as its decomposition: no kernel\)$/);
      await expect(t.fn!(), t.name).resolves.toBeUndefined();
    }
  });

  it("checks a fast kernel of an optional op against the decomposition", async () => {
    const checks = tests.filter((t) => t.name.startsWith("square ") && t.name.includes("(f32") && t.name.endsWith("(decomposition, and the kernel against it)") && !/\[(\d+,)*0(,\d+)*\]/.test(t.name));
    expect(checks.length).toBeGreaterThan(5);
    for (const t of checks) await expect(t.fn!(), t.name).rejects.toThrow(/square: the kernel of "brokenconf" differs from the decomposition/);
  });
});
