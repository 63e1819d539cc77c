/**
 * `createWebGlBackend`: a core Backend on gpu.js. Buffers are handles whose value is a texture
 * (WebGL modes) or a host array (gpu.js's WebAssembly/CPU fallback). float32, int32 and bool
 * are stored as float32 textures (integers exact to 2^24); float64 is declared unsupported so
 * placement falls back. Capabilities report the mode gpu.js really runs, never assumed.
 */
import type { Backend, BackendCapabilities, DType, OpTimer, TypedArray } from "@eager/core/backend";
import { KernelContext, type WebGlBuffer } from "./context.js";
import type { GpuJsMode } from "./gpujs.js";
import { webglKernels } from "./kernels/table.js";
import { fusedElementwise } from "./kernels/elementwise.js";
import { fusedEpilogue } from "./kernels/epilogue.js";
import { FLOAT_EXACT_INT, GlRuntime, type RuntimeOptions } from "./runtime.js";

/** Options for a WebGL backend instance. */
export interface WebGlBackendOptions extends RuntimeOptions {
  /** Backend name (default "webgl"). */
  readonly name?: string;
}

/** The WebGL backend: a core `Backend` plus the runtime facts tests and reports read. */
export interface WebGlBackend extends Backend<WebGlBuffer> {
  /** The gpu.js mode that runs the kernels ("webgl2", "webgl", "headlessgl"; "webasm" or "cpu" on fallback). */
  readonly mode: GpuJsMode;
  /** True only when kernels run as WebGL shaders. */
  readonly isWebGl: boolean;
  readonly runtime: GlRuntime;
}

const DTYPES: readonly DType[] = ["float32", "int32", "bool"];
const warnedModes = new Set<string>();

function toFloat(data: TypedArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/** Float storage back to the dtype's array: int32 saturates to its range (non-finite gives 0), bool is x != 0. */
function fromFloat(v: Float32Array, dtype: DType, size: number): TypedArray {
  if (dtype === "float32") return v.slice(0, size);
  if (dtype === "bool") {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) out[i] = v[i] !== 0 && v[i] === v[i] ? 1 : 0;
    return out;
  }
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const x = v[i]!;
    out[i] = !Number.isFinite(x) ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x);
  }
  return out;
}

/**
 * Create a WebGL backend (not registered; importing the package registers "webgl").
 * @example const b = createWebGlBackend({ name: "gl" }); registerBackend("gl", () => b);
 */
export function createWebGlBackend(options: WebGlBackendOptions = {}): WebGlBackend {
  const name = options.name ?? "webgl";
  const rt = new GlRuntime(options);
  const ctx = new KernelContext(rt);
  if (!rt.isWebGl && !warnedModes.has(rt.mode)) {
    warnedModes.add(rt.mode);
    console.warn(
      `eager: the "${name}" backend found no WebGL context here; gpu.js runs its kernels in "${rt.mode}" mode (not WebGL). capabilities.info.mode says so.`,
    );
  }
  const info: Record<string, string | number | boolean> = {};
  const refreshInfo = (): Readonly<Record<string, string | number | boolean>> => {
    info["mode"] = rt.degradedKernels > 0 ? `${rt.mode}+cpu` : rt.mode;
    info["webgl"] = rt.isWebGl;
    info["library"] = "gpu.js";
    info["floatPrecision"] = "float32";
    info["intExactTo"] = FLOAT_EXACT_INT;
    info["maxTextureSize"] = rt.maxTextureSize;
    info["degradedKernels"] = rt.degradedKernels;
    info["contextLost"] = rt.contextLost;
    return info;
  };
  refreshInfo();
  const capabilities: BackendCapabilities = {
    kind: rt.isWebGl ? "gpu" : "other",
    dtypes: DTYPES,
    syncRead: true,
    maxElements: rt.maxElements,
    kernelPath: rt.isWebGl ? "GLSL" : `gpu.js ${rt.mode}`,
    get info() {
      return refreshInfo();
    },
  };
  const readValues = (buf: WebGlBuffer, dtype: DType, size: number): TypedArray => {
    if (size === 0) return fromFloat(new Float32Array(0), dtype, 0);
    if (!buf.value) throw new Error(`read: the buffer was never written`);
    return fromFloat(rt.download(buf.value, "read"), dtype, size);
  };
  return {
    name,
    mode: rt.mode,
    get isWebGl() {
      return rt.isWebGl;
    },
    runtime: rt,
    capabilities,
    kernels: webglKernels(ctx),
    fusedElementwise: fusedElementwise(ctx) as unknown as WebGlBackend["fusedElementwise"],
    fusedEpilogue: fusedEpilogue(ctx) as unknown as WebGlBackend["fusedEpilogue"],
    alloc: (dtype: DType, size: number): WebGlBuffer => ({ value: null, dtype, size }),
    write: (buf: WebGlBuffer, data: TypedArray) => {
      if (data.length === 0) return;
      rt.checkSize("write", "a tensor", [data.length], data.length);
      const old = buf.value;
      buf.value = rt.upload(toFloat(data));
      if (old) rt.release(old);
    },
    readSync: readValues,
    read: async (buf: WebGlBuffer, dtype: DType, size: number) => readValues(buf, dtype, size),
    free: (buf: WebGlBuffer) => {
      if (buf.value) rt.release(buf.value);
      buf.value = null;
    },
    // Draws return before the GPU runs them: profiles wait for each op's result to time it to completion.
    openProfile: (): OpTimer | null => {
      if (!rt.isWebGl) return null;
      rt.profiling(true);
      let open = true;
      return {
        opDone: () => {
          rt.waitForLast();
          return Promise.resolve({ doneMs: performance.now() });
        },
        close: () => {
          if (open) rt.profiling(false);
          open = false;
        },
      };
    },
    dispose: () => rt.dispose(),
  };
}
