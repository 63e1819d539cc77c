/**
 * eager on @eager/backend-webgl (gpu.js). The engine exists only where gpu.js really runs
 * WebGL: in Node it finds no GL context and would run its WebAssembly fallback, so the row
 * is skipped with that reason instead of being labelled WebGL. In Chromium (src/webgl-browser.ts)
 * it runs on WebGL2 over SwiftShader: numbers that prove correctness, not speed.
 */
import { getBackend } from "@eager/core/backend";
import type { Engine, EngineUnavailable } from "../types.js";
import { createEagerEngine } from "./eager.js";

/** The WebGL engine, or why it cannot run here. */
export async function webglEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const name = "eager-webgl";
  try {
    // A variable specifier: the package is optional, so its types are not required to build.
    const specifier = "@eager/backend-webgl";
    await import(specifier);
  } catch (e) {
    return { engines: [], unavailable: [{ name, reason: `@eager/backend-webgl failed to load: ${(e as Error).message.split("\n")[0]}` }] };
  }
  const info = getBackend("webgl").capabilities.info ?? {};
  if (info["webgl"] !== true)
    return { engines: [], unavailable: [{ name, reason: `gpu.js found no WebGL context here (it would run in "${String(info["mode"])}" mode); run \`pnpm --filter @eager/bench webgl\` for Chromium` }] };
  return { engines: [createEagerEngine(name, "webgl", { mode: String(info["mode"]), maxTextureSize: Number(info["maxTextureSize"]) })], unavailable: [] };
}
