/**
 * The debugging tools on every backend in Node: the CPU backend (WebAssembly), WebGPU on
 * SwiftShader, and the WebGL backend in Node, where gpu.js runs its kernels without WebGL.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";
import "@eager/backend-cpu";
import "@eager/backend-webgl";
import "@eager/backend-webgpu";
import { ready } from "@eager/core";
import { softwareAdapterExpected } from "@eager/backend-webgpu";
import { debugToolsSuite } from "./debug-tools-suite.js";

const source = readFileSync(fileURLToPath(new URL("./debug-tools-suite.ts", import.meta.url)), "utf8").split("\n");
const lineOf = (marker: string) => source.findIndex((l) => l.includes(marker)) + 1;

describe("debugging tools on the reference backend", () => debugToolsSuite("reference", /^JS reference$/, lineOf));
await ready("cpu");
describe("debugging tools on cpu", () => debugToolsSuite("cpu", /^WebAssembly$/, lineOf));
await ready("webgl");
describe("debugging tools on webgl (gpu.js without WebGL in Node)", () => debugToolsSuite("webgl", /^(GLSL|gpu\.js \w+)$/, lineOf));

const gpu = await ready("webgpu").then(
  () => null,
  async (e: Error) => {
    if (await softwareAdapterExpected()) throw e;
    return e.message;
  },
);
(gpu === null ? describe : describe.skip)(gpu === null ? "debugging tools on webgpu" : `debugging tools on webgpu (skipped: ${gpu})`, () => debugToolsSuite("webgpu", /^WGSL$/, lineOf));
