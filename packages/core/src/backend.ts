/**
 * `@eager/core/backend`: the public plugin API. Everything a third-party backend needs and
 * nothing else: the Backend interface, kernel types, the op table (to read shape rules and
 * reference kernels), registration, and helpers for tests.
 */
export type { Backend, BackendCapabilities, BackendFactory, CompleteKernelTable, Kernel, KernelTable, OpCompletion, OpTimer, RegisterOptions } from "./plugin.js";
export { withKernelPath, kernelPathOf } from "./plugin.js";
export type { Decomposition, KernelTensor, OpDef, OpFamily, OptionalOpDef, RefTensor, ResolvedOp, TensorSpec } from "./ops/def.js";
export { opTable, opNames, requiredOps, optionalOps, isRequired, type Attrs, type OpName, type RequiredOpName, type OptionalOpName } from "./ops/table.js";
export { registerBackend, removeBackend, listBackends, ready, getBackend, type BackendStatus } from "./engine/registry.js";
export { runOp } from "./engine/dispatch.js";
export { createReferenceBackend } from "./backends/reference.js";
export { createNullBackend, type NullBackend, type NullBuffer } from "./backends/null.js";
export { allocArray, bytesPerElement, DTYPES, type DType, type TypedArray } from "./dtype.js";
export { EagerError } from "./errors.js";
export { broadcastShapes, broadcastStrides, shapesEqual, sizeOf, stridesOf, viewBroadcastStrides } from "./shape.js";
/** Convolution and pool geometry: what `ResolvedOp.plan` holds for those ops, and the helpers that compute it. */
export { conv2dGeometry, depthwiseGeometry, geometryOf, poolGeometry, samePad, windowGeometry, windowOutSize, type WindowGeometry } from "./ops/conv.js";
/** The engine's state in one object, and a reset for tests. */
export { engine, resetEngine } from "./engine/engine.js";
/** The primitives typed from the op table: `primitives.add(a, b)`. */
export { primitives, type Primitives } from "./ops/primitives.js";
/** The scalar expression IR: elementwise ops' `expr`, the builder, the JavaScript lowering and float32 expansions. */
export * as ir from "./ir/index.js";
export type { ElementwiseExpr, Expr, IrDType, IrOp } from "./ir/index.js";
export { elementwiseOpNames, type ElementwiseOpName } from "./ops/elementwise.js";
import "./engine/reference-registration.js";
export { decomposeAlways } from "./engine/decompose.js";
export { missingRequired } from "./engine/coverage.js";
export { kernelsFor } from "./kernel-family.js";
/** The ops whose output may carry a fused elementwise tail (`Backend.fusedEpilogue`). */
export { epilogueHeads } from "./compile/epilogue.js";
