/**
 * Test helpers: initialize "webgpu" once and say whether tests can run. Where SwiftShader's
 * Vulkan driver is installed (as in CI) a missing adapter is a failure, not a skip.
 */
import { ready } from "@eager/core";
import { softwareAdapterExpected } from "@eager/backend-webgpu";

/** Whether the "webgpu" backend initialized, and why not. */
export async function gpuAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await ready("webgpu");
    return { ok: true };
  } catch (e) {
    if (await softwareAdapterExpected()) throw e;
    return { ok: false, reason: String((e as Error).message ?? e) };
  }
}
