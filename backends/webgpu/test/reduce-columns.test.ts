/** Column reductions on webgpu in Node (Dawn; SwiftShader where no GPU is present). */
import { describe, it } from "vitest";
import { gpuAvailability } from "./helpers.js";
import { reduceColumnTests } from "./reduce-columns-suite.js";

const availability = await gpuAvailability();
if (availability.ok) reduceColumnTests("webgpu");
else describe("webgpu column reductions", () => it.skip(`skipped: ${availability.reason}`, () => undefined));
