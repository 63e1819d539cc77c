/**
 * Waiting for one WebGL result to be computed, for profiles: a one-pixel read of the texture a
 * kernel wrote. WebGL draws return before the GPU runs them, and Chromium's `gl.finish()` does
 * not wait, but a read of pixels waits for every draw that writes them.
 */
import type { GL } from "./dom-types.js";
import type { GpuTexture } from "./gpujs.js";

/** The parts of a WebGL context and a gpu.js float texture that the read uses. */
interface PixelContext {
  readonly FRAMEBUFFER: number;
  readonly COLOR_ATTACHMENT0: number;
  readonly TEXTURE_2D: number;
  readonly RGBA: number;
  readonly FLOAT: number;
  bindFramebuffer(target: number, framebuffer: unknown): void;
  framebufferTexture2D(target: number, attachment: number, textarget: number, texture: unknown, level: number): void;
  readPixels(x: number, y: number, width: number, height: number, format: number, type: number, pixels: ArrayBufferView): void;
}
interface RawTexture {
  readonly texture: unknown;
  readonly _deleted?: boolean;
  framebuffer(): unknown;
}

const pixel = new Float32Array(4);

/**
 * Block until the kernel that wrote `texture` has run, by reading its first pixel (as gpu.js's own
 * readback does, on the texture's framebuffer). Returns false for a texture already deleted.
 */
export function waitForTexture(gl: GL, texture: GpuTexture): boolean {
  const c = gl as unknown as PixelContext;
  const t = texture as unknown as RawTexture;
  if (t._deleted) return false;
  c.bindFramebuffer(c.FRAMEBUFFER, t.framebuffer());
  c.framebufferTexture2D(c.FRAMEBUFFER, c.COLOR_ATTACHMENT0, c.TEXTURE_2D, t.texture, 0);
  c.readPixels(0, 0, 1, 1, c.RGBA, c.FLOAT, pixel);
  return true;
}
