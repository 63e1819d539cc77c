/**
 * JavaScript kernels: the op table's reference implementation run on typed-array views of
 * the shared memory. Correct for every op and dtype, single-threaded. The wasm kernels use
 * them for dtypes and layouts they do not cover. Reference kernels assume zeroed outputs.
 */
import { opTable, withKernelPath, type Attrs, type Kernel, type KernelTensor, type OpName } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

/** The reference kernel of `name` on views of the backend's memory (outputs zeroed first). */
export function jsKernel<K extends OpName>(ctx: CpuContext, name: K): Kernel<Attrs<K>, CpuBuffer> {
  const ref = opTable[name].ref as unknown as (i: readonly KernelTensor[], o: readonly KernelTensor[], a: Attrs<K>) => void;
  const kernel: Kernel<Attrs<K>, CpuBuffer> = (inputs, outputs, attrs) => {
    for (const o of outputs) ctx.zero(o.data);
    ref(
      inputs.map((t) => ctx.refTensor(t)),
      outputs.map((t) => ctx.refTensor(t)),
      attrs,
    );
  };
  return withKernelPath(kernel, "JS reference");
}
