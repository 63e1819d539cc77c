/**
 * Profiles on the WebGL backend in Node: without a WebGL context gpu.js runs kernels on the CPU
 * (WebAssembly), which finish before they return, so the backend opens no op timer and op
 * times are host times. (In a browser it waits for each op: test/profile.browser.test.ts.)
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import "@eager/backend-webgl";

describe("profile on webgl in Node", () => {
  it("reports host times: gpu.js's CPU modes complete each kernel before returning", async () => {
    await tf.ready("webgl");
    const b = getBackend("webgl");
    expect(b.capabilities.info!["webgl"]).toBe(false);
    expect(b.openProfile!()).toBeNull();
    const a = tf.withDevice("webgl", () => tf.ones([16, 16]));
    const p = await tf.profile(() => tf.withDevice("webgl", () => tf.tidy(() => tf.sum(tf.matmul(a, a)))));
    expect(p.ops.map((o) => [o.op, o.timeSource])).toEqual([["matmul", "host"], ["sum", "host"]]);
    expect(Array.from(await (p.result as tf.Tensor).data())).toEqual([4096]);
    (p.result as tf.Tensor).dispose();
    a.dispose();
  });
});
