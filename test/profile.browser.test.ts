/**
 * Profiles in headless Chromium time each op on the GPU devices: WebGL2 waits for each op's
 * result (its draws return before the GPU runs them) and WebGPU times each op by timestamp
 * queries where the adapter offers them, else to its completion. A heavy matmul among small
 * adds takes most of the time on both.
 */
import { describe, expect, it } from "vitest";
import "@eager/backend-webgl";
import "@eager/backend-webgpu";
import { getBackend, ready } from "@eager/core/backend";
import { expectMatmulDominates, heavyChain } from "./profile-chain.js";

const failed = async (name: string) => ready(name).then(() => null, (e: Error) => e.message);
const gl = await failed("webgl");
const gpu = await failed("webgpu");

(gl === null ? describe : describe.skip)(`profile on webgl (browser)${gl ? ` (skipped: ${gl})` : ""}`, () => {
  it("waits for each op on the GPU: the matmul's time is its completion, not its enqueue", async () => {
    expect(getBackend("webgl").capabilities.info!["webgl"]).toBe(true);
    const p = await heavyChain("webgl", 256);
    expectMatmulDominates(p, "completion", "webgl", "GLSL");
    // The host returns from a WebGL matmul long before the GPU has run it.
    const matmul = p.ops.find((o) => o.op === "matmul")!;
    expect(matmul.wallMs).toBeGreaterThan(5 * matmul.hostMs);
  }, 120_000);
});

(gpu === null ? describe : describe.skip)(`profile on webgpu (browser)${gpu ? ` (skipped: ${gpu})` : ""}`, () => {
  it("times each op on the GPU: the matmul takes most of the time", async () => {
    const source = getBackend("webgpu").capabilities.info!["timestampQueries"] ? "gpu-timestamp" : "completion";
    const p = await heavyChain("webgpu", 192);
    expectMatmulDominates(p, source, "webgpu", "WGSL");
  }, 120_000);
});
