/**
 * Finding a GPUDevice: `navigator.gpu` in browsers, else the `webgpu` npm package (Dawn) in
 * Node, pointed at SwiftShader's Vulkan driver when no driver is configured. The object
 * Dawn's `create()` returns is held for the life of the process: collecting it while an
 * adapter or device lives crashes the process at the next map.
 */

/** No WebGPU adapter could be had; the message says why and what to install. */
export class WebGpuUnavailableError extends Error {
  override readonly name = "WebGpuUnavailableError";
}

/** SwiftShader's Vulkan driver as Debian's chromium package installs it. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Every GPU instance ever created here; never emptied (see the header). */
const heldInstances: GPU[] = [];

/** Options for acquiring a device. */
export interface DeviceOptions {
  /** Use this GPU instead of `navigator.gpu` or Dawn (tests, embedding). */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
}

/** An adapter and the device requested from it. */
export interface AcquiredDevice {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** Where the device came from, for reports: "navigator.gpu" or "dawn (node)". */
  readonly source: string;
  readonly description: string;
}

/** node:fs, loaded only in Node (the specifier is hidden from browser bundlers). */
async function nodeFs(): Promise<{ existsSync(path: string): boolean }> {
  const spec = "node:fs";
  return (await import(/* @vite-ignore */ spec)) as { existsSync(path: string): boolean };
}

async function nodeGpu(): Promise<GPU> {
  const proc = (globalThis as { process?: { env: Record<string, string | undefined>; versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) throw new WebGpuUnavailableError("WebGPU is unavailable: this runtime has no navigator.gpu and is not Node");
  const fs = await nodeFs();
  if (!proc.env["VK_ICD_FILENAMES"] && fs.existsSync(SWIFTSHADER_ICD)) proc.env["VK_ICD_FILENAMES"] = SWIFTSHADER_ICD;
  const spec = "webgpu";
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    mod = (await import(/* @vite-ignore */ spec)) as typeof mod;
  } catch (e) {
    throw new WebGpuUnavailableError(`WebGPU is unavailable: the "webgpu" package (Dawn) did not load: ${(e as Error).message}`);
  }
  // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are globals in browsers.
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = mod.create([]);
  heldInstances.push(gpu);
  return gpu;
}

/** Whether a Node process here can expect a software adapter (SwiftShader's driver is installed). */
export async function softwareAdapterExpected(): Promise<boolean> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return false;
  return (await nodeFs()).existsSync(SWIFTSHADER_ICD);
}

/**
 * Request an adapter and a device with the adapter's storage limits.
 * @throws WebGpuUnavailableError when there is no adapter.
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  const fromNavigator = !options.gpu && !!nav?.gpu;
  const gpu = options.gpu ?? (nav?.gpu ? nav.gpu : await nodeGpu());
  const source = options.gpu ? "given" : fromNavigator ? "navigator.gpu" : "dawn (node)";
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? "high-performance" });
  if (!adapter) {
    const hint = fromNavigator ? "the browser gave no adapter (Chromium needs --enable-unsafe-webgpu)" : `Dawn found no adapter (install a Vulkan driver, e.g. Debian's chromium and libvulkan1 for SwiftShader at ${SWIFTSHADER_ICD})`;
    throw new WebGpuUnavailableError(`WebGPU is unavailable: ${hint}`);
  }
  const a = adapter.limits;
  const device = await adapter.requestDevice({
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
