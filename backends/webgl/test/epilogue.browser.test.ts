/** Fused epilogues on the WebGL backend in headless Chromium: the tails compile and run as WebGL2 shaders. */
import { expect, it } from "vitest";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import type { WebGlBackend } from "@eager/backend-webgl";
import "@eager/backend-webgl";
import { epilogueTests } from "./epilogue-suite.js";

await tf.ready("webgl");
it("runs on WebGL", () => expect((getBackend("webgl") as WebGlBackend).isWebGl).toBe(true));
epilogueTests("webgl");
