/**
 * The WebGPU backend's browser (and default) platform: `navigator.gpu` is the only source of
 * a GPU; nothing else is loaded. Imports no Node built-in and no native package.
 */
import type { WebGpuPlatform } from "./types.js";

/** Browser platform services. */
export const platform: WebGpuPlatform = {
  fallbackSource: "none",
  fallbackGpu: () => Promise.reject(new Error("this runtime has no navigator.gpu")),
  softwareAdapterExpected: () => false,
};
