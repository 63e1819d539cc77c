/**
 * `@eager/core/backend`: the public plugin API. Everything a third-party backend needs and
 * nothing else: the Backend interface, kernel types, the op table (to read shape rules and
 * reference kernels), registration, and helpers for tests.
 */
export type { Backend, BackendCapabilities, BackendFactory, Kernel, KernelTable, RegisterOptions } from "./plugin.js";
export type { KernelTensor, OpDef, OpFamily, RefTensor, TensorSpec } from "./ops/def.js";
export { opTable, opNames, type Attrs, type OpName } from "./ops/table.js";
export { registerBackend, removeBackend, listBackends, ready, getBackend } from "./engine/registry.js";
export { runOp } from "./engine/dispatch.js";
export { createReferenceBackend } from "./backends/reference.js";
export { createNullBackend, type NullBackend, type NullBuffer } from "./backends/null.js";
export { allocArray, bytesPerElement, DTYPES, type DType, type TypedArray } from "./dtype.js";
export { EagerError } from "./errors.js";
export { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from "./shape.js";
import "./index.js";
