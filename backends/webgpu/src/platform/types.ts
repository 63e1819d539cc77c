/**
 * What differs between platforms for the WebGPU backend: where a GPU comes from when there
 * is no `navigator.gpu`. Each platform module exports one `platform` of this shape, chosen
 * by package.json's "imports" (`#platform`), so a browser bundle never loads Dawn or node:fs.
 */
import type * as W from "../gpu-types.js";

/** Platform services the backend needs. */
export interface WebGpuPlatform {
  /** Where a GPU instance comes from without `navigator.gpu` (for reports). */
  readonly fallbackSource: string;
  /** A GPU instance from outside the browser (Dawn in Node); rejects with the reason when there is none. */
  fallbackGpu(): Promise<W.Gpu>;
  /** Whether a software adapter can be expected here (SwiftShader's driver is installed). */
  softwareAdapterExpected(): boolean;
}

/** SwiftShader's Vulkan driver as Debian's chromium package installs it. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
