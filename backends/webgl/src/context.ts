/**
 * What every kernel works with: the buffer handle (a GPU value filled by the first kernel that
 * writes it), and a context that runs a built kernel into an output, fills an output from host
 * values, and checks sizes against the backend's limits, naming the op and the shape.
 */
import type { DType, KernelTensor } from "@eager/core/backend";
import type { KernelArg, KernelBuilder } from "./codegen.js";
import type { GpuValue } from "./gpujs.js";
import type { GlRuntime } from "./runtime.js";

/** A tensor's storage on the WebGL backend: a texture (or array, off WebGL) once written. */
export interface WebGlBuffer {
  value: GpuValue | null;
  readonly dtype: DType;
  readonly size: number;
}

/** A kernel's view of one tensor. */
export type GlTensor = KernelTensor<WebGlBuffer>;

/** Runs generated kernels into outputs. */
export class KernelContext {
  constructor(readonly rt: GlRuntime) {}

  /** An input's value as a kernel argument (null for an empty tensor, which no thread reads). */
  in(op: string, t: GlTensor): KernelArg {
    if (t.size === 0) return null;
    if (!t.data.value) throw new Error(`${op}: an input buffer was never written (a kernel skipped an output)`);
    this.rt.checkSize(op, "an input", t.shape, t.size);
    return t.data.value;
  }

  /** Store `v` as `out`'s value, releasing what it held. */
  set(out: GlTensor, v: GpuValue): void {
    const old = out.data.value;
    out.data.value = v;
    if (old) this.rt.release(old);
  }

  /** Build `b` with `result` and run it over every element of `out`. */
  run(op: string, out: GlTensor, b: KernelBuilder, result: string): void {
    this.rt.checkSize(op, "the output", out.shape, out.size);
    this.set(out, this.rt.run(op, b.source(result), out.size, b.args));
  }

  /** Fill `out` from host values (constant results such as reductions over no elements). */
  fill(out: GlTensor, values: Float32Array): void {
    this.rt.checkSize("fill", "the output", out.shape, out.size);
    this.set(out, this.rt.upload(values));
  }

  /** `out` shares `x`'s value (movement ops that change only the shape). */
  alias(out: GlTensor, x: GlTensor): void {
    this.set(out, this.rt.share(x.data.value!));
  }

  /** Read a tensor back to the host (index validation). */
  host(op: string, t: GlTensor): Float32Array {
    if (t.size === 0) return new Float32Array(0);
    return this.rt.download(t.data.value!, op);
  }
}
