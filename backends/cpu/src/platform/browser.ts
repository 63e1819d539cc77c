/**
 * The CPU backend's browser (and default) platform: module Workers from a blob: URL,
 * `navigator.hardwareConcurrency`, and no engine flags. Imports no Node built-in.
 */
import { browserTransport } from "../pool/transport-browser.js";
import type { CpuPlatform } from "./types.js";

/** Browser platform services. */
export const platform: CpuPlatform = {
  defaultTransport: browserTransport,
  hardwareThreads: () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1,
  enableRelaxedSimd: () => undefined,
};
