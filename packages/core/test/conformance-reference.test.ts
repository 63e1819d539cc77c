/**
 * The conformance suite on the reference backend itself (float32, int32 and bool results
 * against its own float64 results), and on a null backend to test placement: every op
 * dispatches there with the shapes `infer` declares (the null backend computes nothing).
 */
import { describe, expect, it } from "vitest";
import { conformanceSuite, type KnownFailure } from "@eager/conformance";
import { createNullBackend, createReferenceBackend, opTable, registerBackend, type Backend, type TypedArray } from "@eager/core/backend";

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
  // A backend that is the reference except for an exp kernel that is off in its first
  // element and no cosh kernel: the suite must fail the first and skip the second.
  const base = createReferenceBackend("brokenconf");
  const { cosh: _cosh, ...kernels } = base.kernels;
  const broken: Backend<TypedArray> = {
    ...base,
    kernels: {
      ...kernels,
      exp: (inputs, outputs, attrs) => {
        opTable.exp.ref(inputs, outputs, attrs);
        outputs[0]!.data[0] = outputs[0]!.data[0]! + 1e-3;
      },
    },
  };
  registerBackend("brokenconf", () => broken, { priority: -2 });
  const tests: { name: string; fn?: () => unknown; skipped: boolean }[] = [];
  const collect = Object.assign((name: string, fn: () => unknown) => void tests.push({ name, fn, skipped: false }), {
    skip: (name: string) => void tests.push({ name, skipped: true }),
  });
  conformanceSuite({ device: "brokenconf", describe: (_name, fn) => fn(), it: collect, ops: ["exp", "cosh"], largeSize: 0 });

  it("fails every exp case with elements and passes the empty ones", async () => {
    const exp = tests.filter((t) => t.name.startsWith("exp ") && !t.skipped);
    expect(exp.length).toBeGreaterThan(10);
    for (const t of exp) {
      const empty = /\[(\d+,)*0(,\d+)*\]/.test(t.name);
      if (empty) await expect(t.fn!()).resolves.toBeUndefined();
      else await expect(t.fn!(), t.name).rejects.toThrow(/exp output 0 on "brokenconf" differs from the reference/);
    }
  });

  it("skips the op the device has no kernel for, naming the reason", () => {
    expect(tests.filter((t) => t.name.startsWith("cosh ")).length).toBe(0);
    expect(tests.some((t) => t.skipped && /^cosh: \d+ cases skipped: device has no cosh kernel$/.test(t.name))).toBe(true);
  });
});
