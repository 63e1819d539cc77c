/**
 * A worker crash inside an optimizer step leaves every variable, slot and the step count as
 * they were before the step (the step is all or nothing), and a retry then applies it once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { train } from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, WorkerCrashError, type CpuBackend } from "@eager/backend-cpu";

let b: CpuBackend;
beforeAll(async () => {
  b = await createCpuBackend({ name: "cpuoptcrash", threads: 3, thresholds: { elementwise: 256, matmul: 1000 }, stallTimeoutMs: 5000 });
  registerBackend("cpuoptcrash", () => b, { priority: -1 });
  await tf.ready("cpuoptcrash");
});

describe("worker crash inside applyGradients", () => {
  it("changes nothing; the retry applies the step once", async () => {
    await tf.withDevice("cpuoptcrash", async () => {
      const vars = [0, 1, 2, 3].map((i) => tf.variable(tf.fill([64, 64], i + 1), { name: `w${i}` }));
      const grads = vars.map(() => tf.fill([64, 64], 0.5));
      const opt = new train.AdamOptimizer({ learningRate: 0.1 });
      opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
      let crashed = false;
      for (let attempt = 0; attempt < 50 && !crashed; attempt++) {
        const before = vars.map((v) => Array.from(v.dataSync()));
        const slots = opt.slotEntries().map(([, , s]) => Array.from(s.dataSync()));
        const iterations = opt.iterations;
        b.pool!.crashWorkerInNextChunk(0);
        try {
          opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
        } catch (e) {
          expect(e).toBeInstanceOf(WorkerCrashError);
          crashed = true;
          expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(before);
          expect(opt.slotEntries().map(([, , s]) => Array.from(s.dataSync()))).toEqual(slots);
          expect(opt.iterations).toBe(iterations);
          await b.pool!.whenFull();
          opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
          expect(opt.iterations).toBe(iterations + 1);
        }
      }
      expect(crashed).toBe(true);
      for (const t of [...vars, ...grads]) t.dispose();
      opt.dispose();
    });
  });
});
