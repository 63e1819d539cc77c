/**
 * The gpu.js runtime behind the backend: one GPU instance on one WebGL context, the mode that
 * actually runs (checked on every kernel, never assumed), a cache of compiled kernels keyed by
 * their generated source, uploads, readbacks and context-loss detection. Values stay on the
 * GPU as textures between kernels (pipeline mode); nothing here reads back unless asked to.
 */
import { gpujs, isWebGlMode, modeOf, type GpuInstance, type GpuJsMode, type GpuKernel, type GpuTexture, type GpuValue } from "./gpujs.js";
import { WebGlContextLostError, WebGlLimitError } from "./errors.js";
import type { Canvas, GL } from "./dom-types.js";
import { waitForTexture } from "./completion.js";

/** Largest exact integer in float32: indices and int32 values are exact up to here. */
export const FLOAT_EXACT_INT = 2 ** 24;

/** Options for the runtime (a subset of the backend's options). */
export interface RuntimeOptions {
  /** Force a gpu.js mode instead of the best one available. */
  readonly mode?: GpuJsMode;
  /** A canvas to draw on (default: a new one where a document or OffscreenCanvas exists). */
  readonly canvas?: Canvas;
  /** The backend's name, for error messages (default "webgl"). */
  readonly name?: string;
}

function newCanvas(): Canvas | null {
  if (typeof document !== "undefined" && typeof document.createElement === "function") return document.createElement("canvas");
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(1, 1);
  return null;
}

/** A WebGL context on `canvas` for the requested mode, or null when there is none. */
function glContext(canvas: Canvas, mode: GpuJsMode | undefined): GL | null {
  const attrs = { alpha: false, depth: false, antialias: false };
  const tries = mode === "webgl" ? ["webgl"] : mode === "webgl2" ? ["webgl2"] : mode === undefined ? ["webgl2", "webgl"] : [];
  for (const kind of tries) {
    try {
      const ctx = canvas.getContext(kind as "webgl2", attrs) as GL | null;
      if (ctx) return ctx;
    } catch {
      // this kind of context is not available here; try the next
    }
  }
  return null;
}

/** The runtime: gpu.js instance, kernel cache and the facts the backend reports. */
export class GlRuntime {
  readonly gpu: GpuInstance;
  /** The mode gpu.js picked for this instance's kernels. */
  readonly mode: GpuJsMode;
  readonly canvas: Canvas | null;
  readonly gl: GL | null;
  /** Largest texture side, where a GL context exists. */
  readonly maxTextureSize: number;
  /**
   * Most tensor arguments one kernel may take (the texture units of a fragment shader; no limit
   * off WebGL). Past it WebGL reads wrong values without an error, so callers must stay within it.
   */
  readonly maxKernelTensors: number;
  /** Largest tensor in elements: float32-exact indexing and the texture area. */
  readonly maxElements: number;
  /** Kernels that gpu.js moved to its CPU fallback at run time (counted, and reported). */
  degradedKernels = 0;
  /** Live GPU values handed out (textures or arrays), for leak checks. */
  liveValues = 0;
  /** Reads back to the host so far (a chain of ops between reads adds none). */
  downloads = 0;
  /** Kernel launches so far. */
  launches = 0;
  private lost = false;
  private readonly cache = new Map<string, GpuKernel>();
  private readonly onLost = (e: Event): void => {
    e.preventDefault?.();
    this.lost = true;
  };
  private dummy: GpuValue | null = null;
  /** Open profiles; while any is, the last kernel's result is kept so `waitForLast` can wait for it. */
  private profiles = 0;
  private last: GpuValue | null = null;
  private readonly name: string;

  constructor(options: RuntimeOptions = {}) {
    this.name = options.name ?? "webgl";
    const wantsGl = options.mode === undefined || options.mode === "webgl2" || options.mode === "webgl";
    const canvas = wantsGl ? (options.canvas ?? newCanvas()) : null;
    const gl = canvas ? glContext(canvas, options.mode) : null;
    const settings: Record<string, unknown> = {};
    if (gl && canvas) {
      settings["canvas"] = canvas;
      settings["context"] = gl;
    } else if (options.mode) settings["mode"] = options.mode;
    this.gpu = new gpujs.GPU(settings);
    this.mode = modeOf(this.gpu.Kernel);
    this.canvas = gl ? canvas : null;
    this.gl = gl;
    if (canvas && gl && "addEventListener" in canvas) canvas.addEventListener("webglcontextlost", this.onLost as EventListener);
    this.maxTextureSize = gl ? (gl.getParameter(gl.MAX_TEXTURE_SIZE) as number) : 0;
    this.maxKernelTensors = gl ? (gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS) as number) : Infinity;
    const area = this.maxTextureSize > 0 ? this.maxTextureSize * this.maxTextureSize : Infinity;
    this.maxElements = Math.min(FLOAT_EXACT_INT, area);
  }

  /** True when kernels run as WebGL shaders (not on gpu.js's WebAssembly or CPU fallback). */
  get isWebGl(): boolean {
    return isWebGlMode(this.mode) && this.degradedKernels === 0;
  }

  /** Whether the WebGL context is gone (lost, or never usable again). */
  get contextLost(): boolean {
    if (this.lost) return true;
    if (this.gl && this.gl.isContextLost()) this.lost = true;
    return this.lost;
  }

  /** Throw a clear error if the context was lost: values on it are gone, results would be wrong. */
  checkContext(what: string): void {
    if (this.contextLost)
      throw new WebGlContextLostError(
        `${what}: the WebGL context of the "${this.name}" backend was lost (the browser reset the GPU or the page released it); every tensor on it is gone. Create the tensors again on another device, or reload.`,
      );
  }

  /** Refuse shapes beyond the limits, naming the op and the shape. */
  checkSize(op: string, what: string, shape: readonly number[], size: number): void {
    if (size > this.maxElements)
      throw new WebGlLimitError(
        `${op}: ${what} of shape [${shape.join(",")}] has ${size} elements; the "${this.name}" backend handles at most ${this.maxElements} per tensor ` +
          `(float32 indices are exact to 2^24${this.maxTextureSize ? `; textures are at most ${this.maxTextureSize}x${this.maxTextureSize}` : ""}). Run this op on another device.`,
      );
  }

  /** The compiled kernel for `source`, built on first use (one per source: the shape class). */
  kernel(source: string): GpuKernel {
    let k = this.cache.get(source);
    if (!k) {
      k = this.gpu.createKernel(source, {
        output: [1],
        pipeline: true,
        immutable: true,
        precision: "single",
        tactic: "precision",
        dynamicOutput: true,
        dynamicArguments: true,
        loopMaxIterations: FLOAT_EXACT_INT,
      });
      this.cache.set(source, k);
    }
    return k;
  }

  /** Number of distinct kernels compiled so far. */
  get compiledKernels(): number {
    return this.cache.size;
  }

  /** Run the kernel for `source` over `size` output elements. Inputs never change; the result is new. */
  run(op: string, source: string, size: number, args: readonly (GpuValue | null | number)[]): GpuValue {
    this.checkContext(op);
    const k = this.kernel(source);
    k.setOutput([size]);
    const result = k(...args.map((a) => (a === null ? this.placeholder() : a)));
    this.launches++;
    if (this.profiles > 0) this.last = result;
    if (!isWebGlMode(modeOf(k.kernel)) && isWebGlMode(this.mode)) this.noteDegraded(op);
    this.checkContext(op);
    this.liveValues++;
    return result;
  }

  /** A value on the device holding `values`. */
  upload(values: Float32Array): GpuValue {
    this.checkContext("write");
    if (!isWebGlMode(this.mode)) {
      this.liveValues++;
      return values.slice();
    }
    return this.run("write", "function(a) { return a[this.thread.x]; }", values.length, [values]);
  }

  /** Read a value back to the host (synchronous: WebGL readback blocks). */
  download(v: GpuValue, what: string): Float32Array {
    this.checkContext(what);
    this.downloads++;
    return v instanceof Float32Array ? v : v.toArray();
  }

  /** Start (true) or end (false) one profile: while any is open, `waitForLast` can wait for kernels. */
  profiling(on: boolean): void {
    this.profiles = Math.max(0, this.profiles + (on ? 1 : -1));
    this.last = null;
  }

  /**
   * Block until the last kernel run since the previous call has run on the GPU (a one-pixel read
   * of its result; nothing to wait for off WebGL). Only while profiling.
   */
  waitForLast(): void {
    const last = this.last;
    this.last = null;
    if (last && !(last instanceof Float32Array) && this.gl && !this.contextLost) waitForTexture(this.gl, last);
  }

  /** A second handle on the same immutable value (textures are reference counted). */
  share(v: GpuValue): GpuValue {
    this.liveValues++;
    return v instanceof Float32Array ? v : v.clone();
  }

  /** Release a value. */
  release(v: GpuValue): void {
    this.liveValues--;
    if (!(v instanceof Float32Array) && !this.lost) (v as GpuTexture).delete();
  }

  /** A one-element value passed where an input is empty (kernels never read it). */
  private placeholder(): GpuValue {
    if (!this.dummy) {
      this.dummy = this.upload(new Float32Array(1));
      this.liveValues--;
    }
    return this.dummy;
  }

  private warnedDegraded = false;
  private noteDegraded(op: string): void {
    this.degradedKernels++;
    if (this.warnedDegraded) return;
    this.warnedDegraded = true;
    console.warn(`eager: the "${this.name}" backend's ${op} kernel could not run as a WebGL shader; gpu.js moved it to its CPU fallback (reported in capabilities.info)`);
  }

  dispose(): void {
    for (const k of this.cache.values()) {
      try {
        k.destroy(true);
      } catch {
        // a lost context cannot free its programs; they are gone with it
      }
    }
    this.cache.clear();
    if (this.canvas && "removeEventListener" in this.canvas) this.canvas.removeEventListener("webglcontextlost", this.onLost as EventListener);
  }
}
