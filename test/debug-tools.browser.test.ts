/**
 * The debugging tools in headless Chromium: on the reference backend, the CPU backend
 * (WebAssembly), WebGL2 (GLSL through gpu.js) and WebGPU (WGSL on SwiftShader).
 */
import { describe } from "vitest";
import "@eager/backend-cpu";
import "@eager/backend-webgl";
import "@eager/backend-webgpu";
import { ready } from "@eager/core";
import { debugToolsSuite } from "./debug-tools-suite.js";

const failed = async (name: string) => ready(name).then(() => null, (e: Error) => e.message);

describe("debugging tools on the reference backend (browser)", () => debugToolsSuite("reference", /^JS reference$/, null));
const cpu = await failed("cpu");
(cpu === null ? describe : describe.skip)(`debugging tools on cpu (browser)${cpu ? ` (skipped: ${cpu})` : ""}`, () => debugToolsSuite("cpu", /^WebAssembly$/, null));
const gl = await failed("webgl");
(gl === null ? describe : describe.skip)(`debugging tools on webgl (browser)${gl ? ` (skipped: ${gl})` : ""}`, () => debugToolsSuite("webgl", /^GLSL$/, null));
const gpu = await failed("webgpu");
(gpu === null ? describe : describe.skip)(`debugging tools on webgpu (browser)${gpu ? ` (skipped: ${gpu})` : ""}`, () => debugToolsSuite("webgpu", /^WGSL$/, null));
