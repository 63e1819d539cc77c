/**
 * Elementwise kernels generated from the IR, on cases the conformance shapes do not reach:
 * int32 division by 0 and -1 (no traps), float64 comparisons and where (2-lane bool masks),
 * three-input broadcasting in every vector/splat combination, int32 attrs, and sizes on both
 * sides of the JavaScript path for tiny outputs. 1 and 2 threads, poisoned allocations.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

const instances: Record<string, Promise<CpuBackend>> = {
  cpuIr1: createCpuBackend({ name: "cpuIr1", threads: 1, poisonAllocations: true }),
  cpuIr2: createCpuBackend({ name: "cpuIr2", threads: 2, thresholds: { elementwise: 64, matmul: 1000 }, poisonAllocations: true }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });
beforeAll(async () => {
  await tf.ready("cpuIr1");
  await tf.ready("cpuIr2");
});

const t = (shape: number[], seed: number, lo = -2, hi = 2) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
const i32 = (v: number[]) => tf.tensor(Int32Array.from(v), [v.length], "int32");

describe.each(["cpuIr1", "cpuIr2"])("IR elementwise kernels on %s", (device) => {
  it("int32 floorDiv and mod: divisors 0 and -1, INT_MIN, negative operands", () => {
    const a = [7, -7, 7, -7, 0, 5, -2147483648, -2147483648, 2147483647, 13, -13, 9, 100, -100, 3, 1, 2, 3];
    const b = [2, 2, -2, -2, 3, 0, -1, 1, -1, 0, 5, -4, 7, 7, -3, 1, 1, 1];
    for (const f of [tf.floorDiv, tf.mod]) {
      expectLikeReference(device, () => tf.tidy(() => f(i32(a), i32(b))), 0, 0);
      expectLikeReference(device, () => tf.tidy(() => f(i32([...a, ...a, ...a]), i32([...b, ...b, ...b]))), 0, 0);
    }
  });
  it("float64 comparisons, isNaN and where (2-lane masks) with NaN", () => {
    const x = () => tf.cast(tf.tensor([NaN, 1, -0, 0, Infinity, 2, -Infinity, 3, 0.5, NaN, 7]), "float64");
    const y = () => tf.cast(tf.tensor([NaN, 1, 0, -0, Infinity, 1, 5, 4, 0.5, 2, 8]), "float64");
    for (const f of [tf.equal, tf.notEqual, tf.less, tf.lessEqual, tf.greater, tf.greaterEqual]) expectLikeReference(device, () => tf.tidy(() => f(x(), y())), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.isNaN(x())), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.where(tf.less(x(), y()), x(), y())), 0, 0);
  });
  it("where with every vector/splat combination of its three inputs", () => {
    const c = (shape: number[]) => tf.greater(t(shape, 31), 0);
    for (const [sc, sa, sb] of [
      [[33, 17], [33, 17], [33, 17]],
      [[33, 1], [33, 17], [1, 17]],
      [[1, 17], [33, 1], [33, 17]],
      [[33, 17], [], [33, 1]],
      [[5, 1, 17], [1, 6, 1], [17]],
    ] as const)
      expectLikeReference(device, () => tf.tidy(() => tf.where(c([...sc]), t([...sa], 32), t([...sb], 33))), 0, 0);
  });
  it("clipByValue on int32 and leakyRelu: attrs are kernel parameters", () => {
    expectLikeReference(device, () => tf.tidy(() => tf.clipByValue(tf.cast(t([301], 34, -9, 9), "int32"), -2.5, 3.7)), 0, 0);
    expectLikeReference(device, () => tf.tidy(() => tf.leakyRelu(t([301], 35), 0.3)), 1e-6, 1e-6);
  });
  it("tiny outputs (computed in JavaScript) agree with the wasm path", () => {
    const big = tf.withDevice(device, () => tf.tidy(() => tf.gelu(t([4001], 36))).dataSync());
    const small = tf.withDevice(device, () => tf.tidy(() => tf.gelu(tf.slice(t([4001], 36), [0], [7]))).dataSync());
    for (let i = 0; i < 7; i++) expect(Math.abs(small[i]! - big[i]!)).toBeLessThan(1e-6);
    for (const f of [tf.sin, tf.cos, tf.erf, tf.atan, tf.expm1, tf.elu]) expectLikeReference(device, () => tf.tidy(() => f(t([3001], 37, -3, 3))), 1e-5, 1e-5);
  });
});
