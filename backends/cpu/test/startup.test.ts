/**
 * Start-up: the backend is ready once its prebuilt kernels are compiled; pool workers start
 * in the background and join when ready. A worker that cannot start is reported (a warning
 * with the reason), and ops keep running, correctly, on the threads that did start.
 */
import { describe, expect, it, vi } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type WorkerTransport } from "@eager/backend-cpu";

describe("cpu backend start-up", () => {
  it("runs ops before its workers are up, and the workers join", async () => {
    const b = await createCpuBackend({ name: "cpustart", threads: 2, thresholds: { elementwise: 1000, matmul: 1000 } });
    registerBackend("cpustart", () => b, { priority: -1 });
    await tf.ready("cpustart");
    const y = tf.withDevice("cpustart", () => tf.add(tf.fill([5000], 1), tf.fill([5000], 2)));
    expect(Array.from(y.dataSync()).every((v) => v === 3)).toBe(true);
    y.dispose();
    await b.pool!.started;
    expect(b.pool!.liveWorkers()).toBe(1);
    b.dispose?.();
  });

  it("warns with the reason when a worker cannot start, and still computes", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const failing: WorkerTransport = {
      name: "failing",
      async spawn(_init, events) {
        queueMicrotask(() => events.exit(1));
        return { terminate: () => undefined };
      },
    };
    try {
      const b = await createCpuBackend({ name: "cpunostart", threads: 2, transport: failing, thresholds: { elementwise: 1000, matmul: 1000 } });
      await b.pool!.started.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 0));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("worker 0 exited before it was ready"));
      registerBackend("cpunostart", () => b, { priority: -1 });
      const y = tf.withDevice("cpunostart", () => tf.mul(tf.fill([4000], 3), tf.fill([4000], 2)));
      expect(Array.from(y.dataSync()).every((v) => v === 6)).toBe(true);
      y.dispose();
      b.dispose?.();
    } finally {
      warn.mockRestore();
    }
  });
});
