/** Packed matmul operands are reused while their buffer lives (an RNN's recurrent kernel at every step) and dropped when it is freed; results never change. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { CpuBackend } from "@eager/backend-cpu";
import "@eager/backend-cpu";

await tf.ready("cpu");
const cpu = getBackend("cpu") as unknown as CpuBackend;
const packs = cpu.context.packs;

const reference = (a: tf.Tensor, b: tf.Tensor, tb: boolean) => tf.withDevice("reference", () => tf.matMul(a.to("reference"), b.to("reference"), false, tb));
const close = (x: tf.Tensor, y: tf.Tensor) => {
  const p = x.dataSync();
  const q = y.dataSync();
  for (let i = 0; i < p.length; i++) expect(Math.abs(p[i]! - q[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(q[i]!)));
};

describe("packed B reuse (cpu)", () => {
  it("reuses the recurrent kernel's panels across steps, plain and transposed, with the reference's values", () => {
    tf.withDevice("cpu", () => {
      const u = tf.randomNormal([64, 192], 0, 1, "float32", 1);
      const hits = packs.hits;
      const misses = packs.misses;
      for (let t = 0; t < 5; t++) {
        const h = tf.randomNormal([16, 64], 0, 1, "float32", 10 + t);
        const d = tf.randomNormal([16, 192], 0, 1, "float32", 20 + t);
        const y = tf.matMul(h, u);
        const dx = tf.matMul(d, u, false, true);
        close(y, reference(h, u, false));
        close(dx, reference(d, u, true));
        tf.dispose([h, d, y, dx]);
      }
      // One pack each way, then hits.
      expect(packs.misses - misses).toBe(2);
      expect(packs.hits - hits).toBe(8);
      expect(packs.bytes()).toBeGreaterThan(0);
      u.dispose();
      expect(packs.bytes()).toBe(0);
    });
  });

  it("a buffer freed and its memory reused by a new tensor is packed again (no stale panels)", () => {
    tf.withDevice("cpu", () => {
      const a = tf.randomNormal([8, 32], 0, 1, "float32", 3);
      const b1 = tf.randomNormal([32, 40], 0, 1, "float32", 4);
      tf.matMul(a, b1).dispose();
      b1.dispose();
      // Likely the same offset in the arena: different contents.
      const b2 = tf.randomNormal([32, 40], 0, 5, "float32", 5);
      const y = tf.matMul(a, b2);
      close(y, reference(a, b2, false));
      tf.dispose([a, b2, y]);
      expect(packs.bytes()).toBe(0);
    });
  });

  it("keeps few entries: the least recently used is freed first", () => {
    tf.withDevice("cpu", () => {
      const a = tf.randomNormal([4, 16], 0, 1, "float32", 6);
      const bs = Array.from({ length: packs.maxEntries + 2 }, (_, i) => tf.randomNormal([16, 24], 0, 1, "float32", 30 + i));
      for (const b of bs) tf.matMul(a, b).dispose();
      expect(packs.bytes()).toBeLessThanOrEqual(packs.maxEntries * 16 * 24 * 4);
      tf.dispose([a, ...bs]);
      expect(packs.bytes()).toBe(0);
    });
  });
});
