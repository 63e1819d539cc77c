/**
 * Fused epilogues on the WebGL backend in Node. gpu.js runs its own fallback mode here, so this
 * checks the generated kernels, not a GPU (epilogue.browser.test.ts runs them as WebGL shaders).
 */
import * as tf from "@eager/core";
import "@eager/backend-webgl";
import { epilogueTests } from "./epilogue-suite.js";

await tf.ready("webgl");
epilogueTests("webgl");
