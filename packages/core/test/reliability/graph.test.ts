/**
 * The graph loader on hostile JSON (fuzzed with fast-check): a named error or a graph that
 * runs to outputs of the declared shapes, no tensor left behind either way, bounded time.
 * Graph.run frees intermediates at their last use and everything when a node throws.
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { createReferenceBackend, registerBackend } from "@eager/core/backend";

let live = 0;
let peak = 0;
beforeAll(async () => {
  const ref = createReferenceBackend();
  registerBackend(
    "peakref",
    () => ({
      ...ref,
      name: "peakref",
      alloc: (dtype: tf.DType, size: number) => {
        peak = Math.max(peak, ++live);
        return ref.alloc(dtype, size);
      },
      free: (b: Parameters<typeof ref.free>[0]) => {
        live--;
        ref.free(b);
      },
    }),
    { priority: -10, defaultDevice: false },
  );
  await tf.ready("peakref");
});

const w = tf.tensor([[1, -2, 0.5], [0.25, 1, -1]]);
const graph = tf.trace((x) => tf.sum(tf.relu(tf.add(tf.matMul(x, w), 1)), 1), { shape: [2, 2] });
const json = graph.toJSON();
const input = tf.tensor([[1, 2], [3, -4]]);
const expected = Array.from(tf.sum(tf.relu(tf.add(tf.matMul(input, w), 1)), 1).dataSync());

/** Replace the value at a random path of a JSON value. */
function mutateAt(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== "object") return replacement;
  const keys = Object.keys(value as object);
  if (keys.length === 0) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  if (path.length === 1 && remove) {
    if (Array.isArray(copy)) (copy as unknown as unknown[]).splice(Number(key), 1);
    else delete copy[key];
  } else copy[key] = mutateAt(copy[key], path.slice(1), replacement, remove);
  return copy;
}

const hostile = fc.oneof(
  fc.constantFrom("toString", "__proto__", "constructor", "valueOf", "add", "", "AAAA", null, [], {}, -1, 0, 1, 2, 7, 1.5, 1e12, 2 ** 31, NaN, true, "float32", "int32", "toString"),
  fc.anything({ maxDepth: 2 }),
);

describe("Graph.fromJSON / run on fuzzed graphs", () => {
  it("the untouched graph round-trips and is correct", () => {
    const g = tf.Graph.fromJSON(JSON.parse(JSON.stringify(json)));
    const [y] = g.run(input);
    expect(Array.from(y!.dataSync())).toEqual(expected);
    y!.dispose();
  });
  it("a named error or outputs of the declared shapes; no tensor left behind", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), hostile, fc.boolean(), (path, replacement, remove) => {
        const mutated = mutateAt(JSON.parse(JSON.stringify(json)), path, replacement, remove);
        const before = tf.memory().numTensors;
        const t0 = performance.now();
        try {
          const g = tf.Graph.fromJSON(mutated as tf.GraphJSON);
          const outs = g.run(input);
          expect(outs.length).toBe(g.json.outputs.length);
          for (const o of outs) expect(o).toBeInstanceOf(tf.Tensor);
          for (const o of outs) if (o !== input) o.dispose();
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(tf.EagerError);
        }
        expect(performance.now() - t0).toBeLessThan(1000);
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: 400 },
    );
  });
  it("inherited op names and malformed fields are named errors", () => {
    const bad = (patch: (j: any) => void, re: RegExp) => {
      const j = JSON.parse(JSON.stringify(json));
      patch(j);
      expect(() => tf.Graph.fromJSON(j)).toThrow(re);
    };
    bad((j) => (j.nodes[0].op = "toString"), /nodes\[0\]: unknown op "toString"/);
    bad((j) => (j.nodes[0].op = "__proto__"), /unknown op "__proto__"/);
    bad((j) => delete j.nodes, /nodes must be an array/);
    bad((j) => (j.nodes[1].inputs = [12345]), /nodes\[1\]\.inputs\[0\] = 12345 is not a value defined before it/);
    bad((j) => (j.outputs = [999]), /outputs\[0\] = 999 is not a value of the graph/);
    bad((j) => (j.inputs[0].dtype = "constructor"), /is not a dtype/);
    bad((j) => (j.constants[0].shape = [2 ** 20, 4]), /needs 22369624 base64 characters, got 32/);
  });
  it("constant sizes are checked before decoding or allocating", () => {
    const j = JSON.parse(JSON.stringify(json));
    j.constants[0].shape = [2 ** 28];
    const t0 = performance.now();
    expect(() => tf.Graph.fromJSON(j)).toThrow(tf.InvalidArgumentError);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe("Graph.run memory", () => {
  it("frees each intermediate at its last use", () => {
    const chain = tf.trace((x) => {
      let y = x;
      for (let i = 0; i < 30; i++) y = tf.mul(tf.add(y, 1), 0.5);
      return y;
    }, { shape: [100] });
    tf.withDevice("peakref", () => {
      const x = tf.ones([100]);
      live = peak = 1;
      const [y] = chain.run(x);
      expect(peak).toBeLessThanOrEqual(6); // x, two scalar constants, two live values, the output
      expect(live).toBe(2); // x and y
      expect(y!.dataSync()[0]).toBeCloseTo(1, 5);
      y!.dispose();
      x.dispose();
    });
  });
  it("frees everything when a node throws", () => {
    const j = JSON.parse(JSON.stringify(json));
    j.nodes[j.nodes.length - 1].attrs = { axes: [7], keepDims: false };
    const g = tf.Graph.fromJSON(j);
    const before = tf.memory().numTensors;
    expect(() => g.run(input)).toThrow(tf.EagerError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
