/**
 * Finding a GPUDevice: `navigator.gpu` in browsers, else the platform's fallback (the
 * `webgpu` npm package, Dawn, in Node: see src/platform/node.ts).
 */
import type * as W from "./gpu-types.js";
import { platform } from "#platform";
import { SWIFTSHADER_ICD } from "./platform/types.js";

export { SWIFTSHADER_ICD };

/** No WebGPU adapter could be had; the message says why and what to install. */
export class WebGpuUnavailableError extends Error {
  override readonly name = "WebGpuUnavailableError";
}

/** Options for acquiring a device. */
export interface DeviceOptions {
  /** Use this GPU instead of `navigator.gpu` or Dawn (tests, embedding). */
  readonly gpu?: W.Gpu;
  readonly powerPreference?: W.PowerPreference;
  /**
   * Ask for the "timestamp-query" feature where the adapter offers it, so profiles report GPU
   * time per op (default true). Without it profiles time each op to its completion.
   */
  readonly timestampQueries?: boolean;
}

/** An adapter and the device requested from it. */
export interface AcquiredDevice {
  readonly adapter: W.Adapter;
  readonly device: W.Device;
  /** Where the device came from, for reports: "navigator.gpu" or "dawn (node)". */
  readonly source: string;
  readonly description: string;
}

async function fallbackGpu(): Promise<GPU> {
  try {
    return await platform.fallbackGpu();
  } catch (e) {
    throw new WebGpuUnavailableError(`WebGPU is unavailable: ${(e as Error).message}`);
  }
}

/** Whether a Node process here can expect a software adapter (SwiftShader's driver is installed). */
export async function softwareAdapterExpected(): Promise<boolean> {
  return platform.softwareAdapterExpected();
}

/**
 * Request an adapter and a device with the adapter's storage limits.
 * @throws WebGpuUnavailableError when there is no adapter.
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  const fromNavigator = !options.gpu && !!nav?.gpu;
  const gpu = options.gpu ?? (nav?.gpu ? nav.gpu : await fallbackGpu());
  const source = options.gpu ? "given" : fromNavigator ? "navigator.gpu" : platform.fallbackSource;
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? "high-performance" });
  if (!adapter) {
    const hint = fromNavigator ? "the browser gave no adapter (Chromium needs --enable-unsafe-webgpu)" : `Dawn found no adapter (install a Vulkan driver, e.g. Debian's chromium and libvulkan1 for SwiftShader at ${SWIFTSHADER_ICD})`;
    throw new WebGpuUnavailableError(`WebGPU is unavailable: ${hint}`);
  }
  const a = adapter.limits;
  const timestamps = options.timestampQueries !== false && adapter.features?.has("timestamp-query") === true;
  const device = await adapter.requestDevice({
    requiredFeatures: timestamps ? ["timestamp-query"] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(a.maxStorageBuffersPerShaderStage, 8),
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
    },
  });
  const info = (adapter as { info?: { vendor?: string; architecture?: string; description?: string; device?: string } }).info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(" ") || "unknown adapter";
  return { adapter, device, source, description };
}
