/** In a browser with both GPU backends registered, "gpu" means WebGPU; neither is the default. */
import { expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-webgl";
import "@eager/backend-webgpu";

it('"gpu" resolves to WebGPU over WebGL, and neither becomes the default device', async () => {
  expect(tf.resolveDevice("gpu")).toBe("webgpu");
  expect(tf.resolveDevice("/gpu:0")).toBe("webgpu");
  expect(tf.resolveDevice("webgl")).toBe("webgl");
  expect(["reference", "cpu"]).toContain(tf.getDefaultDevice());
  await tf.ready("gpu");
  const y = tf.withDevice("gpu", () => tf.matmul([[1, 2]], [[3], [4]]));
  expect(y.device).toBe("webgpu");
  expect(Array.from(await y.data())).toEqual([11]);
});
