/**
 * The conformance suite on "webgpu" inside headless Chromium (navigator.gpu on SwiftShader,
 * enabled by --enable-unsafe-webgpu): every op against the reference backend, as in Node.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { conformanceSuite } from "@eager/conformance";
import "@eager/backend-webgpu";

const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
let reason: string | null = gpu ? null : "this browser has no navigator.gpu (Chromium needs --enable-unsafe-webgpu)";
if (!reason) {
  try {
    await tf.ready("webgpu");
  } catch (e) {
    reason = String((e as Error).message ?? e);
  }
}
if (reason === null) conformanceSuite({ device: "webgpu", describe, it });
else describe("conformance on webgpu in the browser", () => it.skip(`skipped: ${reason}`, () => undefined));
