/**
 * `@eager/plugin-typed-array`: a plain-JavaScript backend on typed arrays, written only against
 * `@eager/core/backend`. It covers the required ops (`typedArrayOps`); optional ops run as their
 * decompositions on it. Given fewer `ops`, the required ones it lacks fall back (and are reported).
 */
import { allocArray, DTYPES, type Backend, type OpName, type TypedArray } from "@eager/core/backend";
import { typedArrayKernels, typedArrayOps } from "./kernels.js";

export { typedArrayKernels, typedArrayOps };

/**
 * Create a typed-array backend (buffers are typed arrays; reads are synchronous). `ops` makes it
 * a partial backend offering only those kernels, e.g. to see fallbacks in `placementReport()`.
 * @example registerBackend("typed-array", () => createTypedArrayBackend(), { kind: "cpu" });
 */
export function createTypedArrayBackend(options: { name?: string; ops?: readonly OpName[] } = {}): Backend<TypedArray> {
  return {
    name: options.name ?? "typed-array",
    capabilities: { kind: "cpu", dtypes: DTYPES, syncRead: true, ops: options.ops, info: { language: "JavaScript" } },
    kernels: Object.fromEntries((options.ops ?? typedArrayOps).filter((op) => op in typedArrayKernels).map((op) => [op, typedArrayKernels[op]])),
    alloc: (dtype, size) => allocArray(dtype, size),
    write: (buffer, data) => buffer.set(data),
    read: async (buffer) => buffer.slice(),
    readSync: (buffer) => buffer.slice(),
    free: () => undefined,
  };
}
