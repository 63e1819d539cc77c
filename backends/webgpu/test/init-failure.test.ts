/**
 * WebGPU whose device request fails (injected, so this runs with or without a GPU): the
 * "webgpu" device is marked unavailable with the adapter's reason, ops placed on it throw
 * that reason, and the default device keeps working.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { removeBackend } from "@eager/core/backend";
import { registerWebGpuBackend } from "@eager/backend-webgpu";

/** A GPU whose adapter refuses to give a device, as a lost or blocklisted GPU does. */
function gpuWithFailingRequestDevice(reason: string): GPU {
  const adapter = {
    limits: { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 },
    requestDevice: () => Promise.reject(new Error(reason)),
  };
  return { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
}

afterEach(() => removeBackend("webgpufail"));

describe("webgpu initialization failure", () => {
  it("marks the device unavailable with its reason and leaves the others working", async () => {
    registerWebGpuBackend("webgpufail", { gpu: gpuWithFailingRequestDevice("requestDevice: the GPU process crashed") }, 10);
    await tf.ready(); // the default device is ready; the failing GPU does not take it down
    await expect(tf.ready("webgpufail")).rejects.toThrow(/GPU process crashed/);

    const entry = tf.listBackends({ details: true }).find((b) => b.name === "webgpufail");
    expect(entry).toMatchObject({ status: "unavailable", kind: "gpu", reason: expect.stringMatching(/GPU process crashed/) });
    expect(tf.placementReport().devices["webgpufail"]).toMatchObject({ available: false, reason: expect.stringMatching(/GPU process crashed/) });
    expect(() => tf.withDevice("webgpufail", () => tf.ones([2]))).toThrow(/"webgpufail" is unavailable: .*GPU process crashed/);

    const y = tf.add([1, 2], 1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    y.dispose();
  });
});
