/**
 * Memory and batching on "webgpu": 100 training steps keep live tensors, live bytes and
 * pooled bytes flat once warm; freed buffers are reused by bucket; reads queued in one tick
 * share one submission.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { losses, train } from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { WebGpuBackend } from "@eager/backend-webgpu";
import { MNISTModel } from "../../../packages/examples/src/mnist/models.js";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
const suite = availability.ok ? describe : describe.skip;
const title = availability.ok ? "webgpu memory" : `webgpu memory (skipped: ${availability.reason})`;

suite(title, () => {
  it("100 training steps keep live tensors, live bytes and pooled bytes flat", async () => {
    const backend = getBackend("webgpu") as WebGpuBackend;
    const model = new MNISTModel();
    const opt = new train.MomentumOptimizer({ learningRate: 0.05 });
    const n = 8;
    const x = new Float32Array(n * 784).map((_, i) => ((i * 7919) % 101) / 101);
    const y = new Float32Array(n * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 3) % 10 ? 1 : 0));
    const stepOnce = async (): Promise<number> => {
      const loss = tf.withDevice("gpu", () =>
        tf.tidy(() => {
          const xs = tf.tensor(x, [n, 784]);
          const ys = tf.tensor(y, [n, 10]);
          const [value, grads] = tf.implicitValueAndGradients(() => losses.softmaxCrossEntropyWithLogits({ labels: ys, logits: model.apply(xs) }))();
          opt.applyGradients(grads);
          return value;
        }),
      );
      const v = (await loss.data())[0]!;
      loss.dispose();
      return v;
    };
    const first = await stepOnce();
    await stepOnce();
    const m0 = tf.memory();
    const pooled0 = backend.pooledBytes!();
    let last = first;
    for (let i = 0; i < 100; i++) last = await stepOnce();
    const m1 = tf.memory();
    expect(m1.numTensors).toBe(m0.numTensors);
    expect(m1.numBytes).toBe(m0.numBytes);
    expect(m1.devices["webgpu"]!.numBytes).toBe(m0.devices["webgpu"]!.numBytes);
    expect(m1.devices["webgpu"]!.numBytes).toBeGreaterThan(0);
    expect(backend.pooledBytes!()).toBe(pooled0);
    expect(pooled0).toBeGreaterThan(0);
    expect(m1.devices["webgpu"]!.pooledBytes).toBe(pooled0);
    expect(last).toBeLessThan(first);
  }, 120_000);

  it("a freed buffer is reused for the next allocation of its bucket", () => {
    const backend = getBackend("webgpu") as WebGpuBackend;
    const a = backend.alloc("float32", 1000);
    const pooled = backend.pooledBytes!();
    backend.free(a);
    expect(backend.pooledBytes!()).toBe(pooled + a.buffer.size);
    const b = backend.alloc("int32", 999);
    expect(b.buffer).toBe(a.buffer);
    expect(backend.pooledBytes!()).toBe(pooled);
    backend.free(b);
  });

  it("reads queued in the same tick share one submission", async () => {
    const backend = getBackend("webgpu") as WebGpuBackend;
    const inputs = tf.withDevice("webgpu", () => Array.from({ length: 8 }, (_, i) => tf.fill([64], i + 1)));
    const outs = tf.withDevice("webgpu", () => inputs.map((t) => tf.mul(t, 2)));
    const before = backend.stats.submits;
    const values = await Promise.all(outs.map((t) => t.data()));
    expect(backend.stats.submits - before).toBe(1);
    values.forEach((v, i) => expect(Array.from(v.slice(0, 3))).toEqual([2 * (i + 1), 2 * (i + 1), 2 * (i + 1)]));
    for (const t of [...inputs, ...outs]) t.dispose();
  });

  it("bool tensors cross the host boundary as Uint8Array", async () => {
    const t = tf.withDevice("webgpu", () => tf.greater([1, 5, 3, 0], [2, 2, 2, 2]));
    const v = await t.data();
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Array.from(v)).toEqual([0, 1, 1, 0]);
    const back = tf.withDevice("webgpu", () => tf.logicalNot(tf.tensor(new Uint8Array([1, 0, 7]), [3], "bool")));
    expect(Array.from(await back.data())).toEqual([0, 1, 0]);
    t.dispose();
    back.dispose();
  });
});
