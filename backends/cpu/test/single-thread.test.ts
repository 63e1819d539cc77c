/**
 * Without SharedArrayBuffer the backend runs single-threaded on ordinary (growable,
 * detachable) memory and warns once with the reason and the COOP/COEP fix.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { expectLikeReference, randomValues } from "./helpers.js";

let b: CpuBackend;
const warnings: string[] = [];
const saved = globalThis.SharedArrayBuffer;

beforeAll(async () => {
  const spy = vi.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void warnings.push(a.join(" ")));
  delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
  try {
    b = await createCpuBackend({ name: "cpunosab", threads: 2, initialBytes: 1 << 17 });
    await createCpuBackend({ name: "cpunosab2", threads: 2 });
  } finally {
    (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = saved;
    spy.mockRestore();
  }
  registerBackend("cpunosab", () => b, { priority: -1 });
  await tf.ready("cpunosab");
});
afterAll(() => b.dispose?.());

describe("no SharedArrayBuffer", () => {
  it("runs on one thread and says why once, with the fix", () => {
    expect(b.threads).toBe(1);
    expect(b.pool).toBeNull();
    expect(b.capabilities.info?.["sharedMemory"]).toBe(false);
    expect(b.singleThreadReason).toMatch(/SharedArrayBuffer is not available/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/single-threaded because SharedArrayBuffer is not available/);
    expect(warnings[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(warnings[0]).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
  });

  it("computes correctly, and old tensors survive memory growth", () => {
    const small = tf.withDevice("cpunosab", () => tf.tensor([1, 2, 3]));
    const big = tf.withDevice("cpunosab", () => tf.tensor(randomValues(1 << 20, 3)));
    expect(Array.from(small.dataSync())).toEqual([1, 2, 3]);
    expect(big.dataSync()[12345]).toBeCloseTo(randomValues(1 << 20, 3)[12345]!, 6);
    small.dispose();
    big.dispose();
    expectLikeReference("cpunosab", () => tf.tidy(() => tf.matmul(tf.tensor(randomValues(35 * 47, 1), [35, 47]), tf.tensor(randomValues(47 * 29, 2), [47, 29]))));
    expectLikeReference("cpunosab", () => tf.tidy(() => tf.sum(tf.tensor(randomValues(70007, 4), [7, 10001]), [1])), 1e-4, 1e-5);
  });
});
