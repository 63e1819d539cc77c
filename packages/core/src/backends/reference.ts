/**
 * The reference backend: plain TypeScript on typed arrays, single-threaded, float64-capable.
 * Its kernels are the op table's reference implementations: it is the executable spec and
 * the oracle every other backend is tested against.
 */
import { allocArray, DTYPES, type DType, type TypedArray } from "../dtype.js";
import { opTable, type OpName } from "../ops/table.js";
import type { Backend, KernelTable } from "../plugin.js";
import { evaluateFused } from "../ir/fused-ref.js";
import type { ResolvedOp } from "../ops/def.js";

function referenceKernels(): KernelTable<TypedArray> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(opTable) as OpName[]) out[name] = opTable[name].ref;
  return out as KernelTable<TypedArray>;
}

/** Create a reference backend (registered by core as "reference", priority 0). */
export function createReferenceBackend(name = "reference"): Backend<TypedArray> {
  return {
    name,
    // 2^28 elements (1 GiB of float32): beyond it a plain-JS oracle is the wrong tool.
    capabilities: { kind: "cpu", dtypes: DTYPES, syncRead: true, maxElements: 2 ** 28, kernelPath: "JS reference", fusedViews: true },
    kernels: referenceKernels(),
    alloc: (dtype: DType, size: number) => allocArray(dtype, size),
    write: (buf, data) => buf.set(data),
    read: async (buf) => buf,
    readSync: (buf) => buf,
    free: () => undefined,
    fusedElementwise: (expr, inputs, output) => {
      evaluateFused(expr, inputs as never, output as never);
      return true;
    },
    // The head stores its (rounded) output, then the tail runs in place over it, as unfused ops would.
    fusedEpilogue: (head, epilogue, extras, output) => {
      const op = head as ResolvedOp<unknown, TypedArray>;
      op.def.ref(op.inputs, op.outputs, op.attrs, op);
      evaluateFused(epilogue, [output, ...extras] as never, output as never);
      return true;
    },
  };
}
