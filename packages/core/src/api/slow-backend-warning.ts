/**
 * A one-time console warning when a heavy op (a matmul or convolution of at least 64^3
 * multiply-adds) runs on the reference backend while it is the only backend registered:
 * the usual cause is a forgotten `import "@eager/backend-cpu"`, which trains many times slower.
 */
import { engine } from "../engine/engine.js";
import { listBackends } from "../engine/registry.js";
import type { Tensor } from "../tensor.js";

/** Multiply-adds from which an op counts as heavy. */
export const HEAVY_OP_MACS = 64 ** 3;

/** Turn the slow-backend warning off (or back on). It is on by default and fires at most once per process. */
export function setSlowBackendWarning(on: boolean): void {
  engine.slowBackendWarning.enabled = on;
}

/** @internal Whether the warning has fired (for tests), and a way to re-arm it. */
export function slowBackendWarned(rearm = false): boolean {
  const w = engine.slowBackendWarning.fired;
  if (rearm) engine.slowBackendWarning.fired = false;
  return w;
}

/** @internal Called by heavy ops with their output and multiply-add count. */
export function noteHeavyOp(op: string, macs: number, out: Tensor): void {
  const state = engine.slowBackendWarning;
  if (state.fired || !state.enabled || macs < HEAVY_OP_MACS || out.device !== "reference") return;
  if (listBackends().some((b) => b !== "reference")) return;
  state.fired = true;
  console.warn(
    `@eager/core: ${op} of ${macs.toLocaleString("en-US")} multiply-adds ran on the "reference" backend, plain JavaScript ` +
      `kept as the correctness oracle (many times slower). No faster backend is registered: add import "@eager/backend-cpu" ` +
      `(or "@eager/backend-webgpu" in a browser) to your program's entry. Silence with setSlowBackendWarning(false).`,
  );
}
