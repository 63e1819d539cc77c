/** Fused epilogues on webgpu in Node (Dawn; SwiftShader where no GPU is present). */
import { describe, it } from "vitest";
import { gpuAvailability } from "./helpers.js";
import { epilogueTests } from "./epilogue-suite.js";

const availability = await gpuAvailability();
if (availability.ok) epilogueTests("webgpu");
else describe("webgpu fused epilogues", () => it.skip(`skipped: ${availability.reason}`, () => undefined));
