/** Column and tree reductions on webgpu inside headless Chromium (navigator.gpu on SwiftShader). */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-webgpu";
import { reduceColumnTests } from "./reduce-columns-suite.js";

const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
let reason: string | null = gpu ? null : "this browser has no navigator.gpu (Chromium needs --enable-unsafe-webgpu)";
if (!reason) {
  try {
    await tf.ready("webgpu");
  } catch (e) {
    reason = String((e as Error).message ?? e);
  }
}
if (reason === null) reduceColumnTests("webgpu");
else describe("webgpu column reductions in the browser", () => it.skip(`skipped: ${reason}`, () => undefined));
