/**
 * Property-based tests (fast-check) for shape rules: broadcasting against a brute-force
 * definition, binary ops against explicit loops, reshape and transpose round trips, and
 * sums against plain addition. Values are small integers so float results are exact.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { broadcastShapes, opTable, sizeOf, stridesOf } from "@eager/core/backend";

const RUNS = { numRuns: 150, seed: 20240611 };

/** NumPy broadcasting by its definition: align right, equal or 1 per axis; null if incompatible. */
function bruteBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const dim = fc.integer({ min: 0, max: 4 });
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });

/** Two shapes that broadcast: both derived from one shape by dropping leading axes and setting axes to 1. */
const broadcastablePair = shapeArb.chain((base) =>
  fc.tuple(
    fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })),
    fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })),
  ).map(([[dropA, onesA], [dropB, onesB]]) => {
    const derive = (drop: number, ones: boolean[]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
    return [derive(dropA, onesA), derive(dropB, onesB)] as const;
  }),
);

/** Small integers as a flat array for a shape. */
const valuesFor = (shape: readonly number[]) => fc.array(fc.integer({ min: -9, max: 9 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) });

/** Row-major multi-index of flat index `k` in `shape`. */
function unravel(k: number, shape: readonly number[]): number[] {
  const st = stridesOf(shape);
  return shape.map((d, i) => Math.floor(k / st[i]!) % d);
}

/** Flat index in `inShape` of an output multi-index, with broadcasting. */
function broadcastIndex(idx: readonly number[], inShape: readonly number[]): number {
  const st = stridesOf(inShape);
  const off = idx.length - inShape.length;
  let flat = 0;
  for (let i = 0; i < inShape.length; i++) flat += (inShape[i] === 1 ? 0 : idx[i + off]!) * st[i]!;
  return flat;
}

function withoutLeaks(fn: () => void): void {
  const before = tf.memory().numTensors;
  tf.tidy(fn);
  expect(tf.memory().numTensors).toBe(before);
}

describe("broadcastShapes", () => {
  it("agrees with the brute-force definition and is commutative", () => {
    fc.assert(
      fc.property(fc.oneof(broadcastablePair, fc.tuple(shapeArb, shapeArb)), ([a, b]) => {
        const expected = bruteBroadcast(a, b);
        const ab = (() => {
          try {
            return broadcastShapes("test", a, b);
          } catch (e) {
            expect(e).toBeInstanceOf(tf.ShapeError);
            return null;
          }
        })();
        const ba = (() => {
          try {
            return broadcastShapes("test", b, a);
          } catch {
            return null;
          }
        })();
        expect(ab).toEqual(expected);
        expect(ba).toEqual(ab);
      }),
      RUNS,
    );
  });
});

describe("binary ops broadcast like explicit loops", () => {
  const ops: [string, (a: tf.TensorLike, b: tf.TensorLike) => tf.Tensor, (a: number, b: number) => number][] = [
    ["add", tf.add, (a, b) => a + b],
    ["sub", tf.sub, (a, b) => a - b],
    ["mul", tf.mul, (a, b) => a * b],
    ["maximum", tf.maximum, (a, b) => Math.max(a, b)],
    ["less", tf.less, (a, b) => (a < b ? 1 : 0)],
  ];
  for (const [name, op, scalar] of ops) {
    it(`${name}: output shape is the broadcast shape and every value matches the loop`, () => {
      fc.assert(
        fc.property(
          broadcastablePair.chain(([sa, sb]) => fc.tuple(fc.constant(sa), fc.constant(sb), valuesFor(sa), valuesFor(sb))),
          ([sa, sb, va, vb]) =>
            withoutLeaks(() => {
              const out = op(tf.tensor(va, sa, "float32"), tf.tensor(vb, sb, "float32"));
              const shape = bruteBroadcast(sa, sb)!;
              expect(out.shape).toEqual(shape);
              const got = Array.from(out.dataSync());
              const want = Array.from({ length: sizeOf(shape) }, (_, k) => {
                const idx = unravel(k, shape);
                return scalar(va[broadcastIndex(idx, sa)]!, vb[broadcastIndex(idx, sb)]!);
              });
              expect(got).toEqual(want);
            }),
        ),
        RUNS,
      );
    });
  }
});

describe("reshape", () => {
  it("round-trips through any shape of the same size and keeps row-major order", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), valuesFor(s), fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }), fc.boolean())),
        ([shape, values, shuffled, prependOne]) =>
          withoutLeaks(() => {
            const target = prependOne ? [1, ...shuffled] : shuffled;
            const x = tf.tensor(values, shape, "int32");
            const y = tf.reshape(x, target);
            expect(y.shape).toEqual(target);
            expect(Array.from(y.dataSync())).toEqual(values);
            const back = tf.reshape(y, shape);
            expect(back.shape).toEqual(shape);
            expect(Array.from(back.dataSync())).toEqual(values);
          }),
      ),
      RUNS,
    );
  });
});

/** A random permutation of [0, rank). */
const permFor = (rank: number) => fc.shuffledSubarray(Array.from({ length: rank }, (_, i) => i), { minLength: rank, maxLength: rank });

describe("transpose", () => {
  const hasTranspose = "transpose" in opTable;
  it.skipIf(!hasTranspose)("transposing by a permutation and then by its inverse is the identity", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), valuesFor(s), permFor(s.length))),
        ([shape, values, perm]) =>
          withoutLeaks(() => {
            const inverse = perm.map((_, i) => perm.indexOf(i));
            const x = tf.tensor(values, shape, "int32");
            const y = tf.transpose(x, perm);
            expect(y.shape).toEqual(perm.map((p) => shape[p]));
            // y[i_0..] = x[j] where j[perm[k]] = i_k
            const got = Array.from(y.dataSync());
            const want = got.map((_, k) => {
              const idx = unravel(k, y.shape);
              const src = new Array<number>(shape.length);
              perm.forEach((p, i) => (src[p] = idx[i]!));
              return values[src.reduce((acc, d, i) => acc + d * stridesOf(shape)[i]!, 0)]!;
            });
            expect(got).toEqual(want);
            const back = tf.transpose(y, inverse);
            expect(back.shape).toEqual(shape);
            expect(Array.from(back.dataSync())).toEqual(values);
          }),
      ),
      RUNS,
    );
  });
});

describe("sum", () => {
  it("over all axes equals the sum of the values, and summing axes in two steps agrees", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), valuesFor(s), fc.subarray(Array.from({ length: s.length }, (_, i) => i)))),
        ([shape, values, axes]) =>
          withoutLeaks(() => {
            const x = tf.tensor(values, shape, "float64");
            const total = values.reduce((a, b) => a + b, 0);
            expect(tf.sum(x).dataSync()[0]).toBe(total);
            const partial = tf.sum(x, axes, true);
            expect(partial.shape).toEqual(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
            expect(tf.sum(partial).dataSync()[0]).toBe(total);
          }),
      ),
      RUNS,
    );
  });
});
