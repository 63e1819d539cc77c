/**
 * The conformance suite on "webgpu" in Node (Dawn on SwiftShader): every op of core's table
 * against the reference backend in float32, int32 and bool. Software WebGPU is slow, so the
 * large shape class uses 4099 elements instead of the default 100003.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { conformanceSuite } from "@eager/conformance";
import "@eager/backend-webgpu";
import { gpuAvailability } from "./helpers.js";

const availability = await gpuAvailability();
if (availability.ok) {
  conformanceSuite({ device: "webgpu", describe, it });
} else {
  describe("conformance on webgpu", () => it.skip(`skipped: ${availability.reason}`, () => undefined));
}
void tf;
