/**
 * The wasm concat kernel against the reference: many inputs with short blocks (the SIMD, word
 * and byte tails), long blocks (memory.copy), empty inputs, zero outer rows, axis 0, every
 * dtype width (bool 1, int32/float32 4, float64 8 bytes); on 1 and 2 threads (low thresholds,
 * so small outputs split into byte ranges that start and end inside blocks), with poisoned
 * allocations so an unwritten byte shows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

const instances: Record<string, Promise<CpuBackend>> = {
  cpuCat1: createCpuBackend({ name: "cpuCat1", threads: 1, poisonAllocations: true }),
  cpuCat2: createCpuBackend({ name: "cpuCat2", threads: 2, awaitWorkers: true, thresholds: { elementwise: 64, matmul: 1000 }, poisonAllocations: true }),
};
for (const [name, b] of Object.entries(instances)) registerBackend(name, () => b, { priority: -1 });
beforeAll(async () => {
  await tf.ready("cpuCat1");
  await tf.ready("cpuCat2");
});

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const t = (shape: number[], seed: number) => tf.tensor(randomValues(size(shape), seed), shape);
const cat = (shapes: number[][], axis: number, dtype: "float32" | "float64" | "int32" | "bool" = "float32") => () =>
  tf.tidy(() =>
    tf.concat(
      shapes.map((s, i) => (dtype === "float32" ? t(s, i + 1) : dtype === "bool" ? tf.greater(t(s, i + 1), 0) : tf.cast(tf.mul(t(s, i + 1), 1000), dtype))),
      axis,
    ),
  );

describe.each(["cpuCat1", "cpuCat2"])("concat on %s", (device) => {
  it("32 inputs [16,1,64] along axis 1 (a recurrent step's outputs)", () => {
    expectLikeReference(device, cat(Array.from({ length: 32 }, () => [16, 1, 64]), 1), 0, 0);
  });
  it("blocks of every length: SIMD, word and byte tails, and memory.copy above 256 bytes", () => {
    expectLikeReference(device, cat([[7, 1], [7, 3], [7, 4], [7, 5], [7, 17], [7, 70], [7, 300]], 1), 0, 0);
    expectLikeReference(device, cat([[5, 2, 3], [5, 1, 3], [5, 9, 3]], 1, "bool"), 0, 0);
    expectLikeReference(device, cat([[3, 4, 1], [3, 4, 2], [3, 4, 33], [3, 4, 5]], 2, "bool"), 0, 0);
    expectLikeReference(device, cat([[6, 1], [6, 3], [6, 40]], 1, "float64"), 0, 0);
    expectLikeReference(device, cat([[4, 2, 9], [4, 5, 9]], 1, "int32"), 0, 0);
  });
  it("empty inputs, zero outer rows, an empty output, axis 0", () => {
    expectLikeReference(device, cat([[3, 0], [3, 2], [3, 0], [3, 5]], 1), 0, 0);
    expectLikeReference(device, cat([[0, 3], [0, 2]], 1), 0, 0);
    expectLikeReference(device, cat([[2, 0], [2, 0]], 1, "float64"), 0, 0);
    expectLikeReference(device, cat([[2, 3, 2], [0, 3, 2], [1, 3, 2]], 0, "bool"), 0, 0);
    expectLikeReference(device, cat([[100], [300], [1]], 0, "int32"), 0, 0);
  });
  it("a large concat along axis 0, axis 1 and the last axis", () => {
    expectLikeReference(device, cat([[300, 2, 7], [300, 5, 7]], 1), 0, 0);
    expectLikeReference(device, cat([[999, 1], [999, 2], [999, 3]], 1, "float64"), 0, 0);
    expectLikeReference(device, cat([[200, 3], [200, 5]], 1, "bool"), 0, 0);
    expectLikeReference(device, cat([[300, 7], [301, 7], [5, 7]], 0, "int32"), 0, 0);
    expectLikeReference(device, cat([[1, 5000], [1, 3], [1, 2001]], 1), 0, 0);
  });
});

describe("concat on two threads", () => {
  it("splits a large output across the pool (along axis 0 too), and keeps small ones on the caller", async () => {
    const b = await instances.cpuCat2!;
    let runs = b.context.parallelRuns;
    expectLikeReference("cpuCat2", cat([[300, 2, 7], [300, 5, 7]], 1), 0, 0);
    expect(b.context.parallelRuns).toBeGreaterThan(runs);
    runs = b.context.parallelRuns;
    expectLikeReference("cpuCat2", cat([[4000], [3001]], 0), 0, 0);
    expect(b.context.parallelRuns).toBeGreaterThan(runs);
    runs = b.context.parallelRuns;
    tf.withDevice("cpuCat2", () => tf.tidy(() => void tf.concat([t([2, 3], 1), t([2, 4], 2)], 1).dataSync()));
    expect(b.context.parallelRuns).toBe(runs);
  });
});
