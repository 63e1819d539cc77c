/**
 * Memory: repeated ops leave no live tensors or bytes behind in core's accounting, the
 * backend's pool stops growing once warm (buffers are reused).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { createCpuBackend, type CpuBackend } from "@eager/backend-cpu";
import { randomValues } from "./helpers.js";

let b: CpuBackend;
beforeAll(async () => {
  b = await createCpuBackend({ name: "cpuleak", threads: 2, thresholds: { elementwise: 1000, matmul: 1000 } });
  registerBackend("cpuleak", () => b, { priority: -1 });
  await tf.ready("cpuleak");
});

function step(): void {
  tf.withDevice("cpuleak", () =>
    tf.tidy(() => {
      const a = tf.tensor(randomValues(300 * 200, 1), [300, 200]);
      const w = tf.tensor(randomValues(200 * 50, 2), [200, 50]);
      const h = tf.relu(tf.add(tf.matmul(a, w), tf.tensor(randomValues(50, 3))));
      const g = tf.gradientsFunction((x: tf.Tensor) => tf.sum(tf.square(tf.matmul(x, w))))(a)[0]!;
      return void tf.mean(tf.mul(h, 2)).add(tf.sum(g)).dataSync();
    }),
  );
}

describe("leaks", () => {
  it("repeated steps keep live tensors, bytes and pooled bytes flat", () => {
    step();
    const m0 = tf.memory();
    const live0 = b.context.arena.liveBytes();
    step();
    const pooled1 = b.pooledBytes!();
    for (let i = 0; i < 10; i++) step();
    const m1 = tf.memory();
    expect(m1.numTensors).toBe(m0.numTensors);
    expect(m1.numBytes).toBe(m0.numBytes);
    expect(m1.devices["cpuleak"]?.numBytes ?? 0).toBe(m0.devices["cpuleak"]?.numBytes ?? 0);
    expect(b.context.arena.liveBytes()).toBe(live0);
    expect(b.pooledBytes!()).toBe(pooled1);
    expect(pooled1).toBeGreaterThan(0);
    expect(m1.devices["cpuleak"]?.pooledBytes).toBe(pooled1);
  });

  it("alloc reuses a freed block of the same size class; a second free throws", () => {
    const buf = b.alloc("float32", 1000);
    b.free(buf);
    const again = b.alloc("float32", 1000);
    expect(again.offset).toBe(buf.offset);
    b.free(again);
    expect(() => b.free(again)).toThrow(/freed twice/);
  });
});
