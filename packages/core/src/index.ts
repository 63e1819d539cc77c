/**
 * `@eager/core`: tensors whose ops run the moment they are called, gradients from a tape,
 * device placement, tracing. Importing it registers the reference backend ("reference").
 */
import "./engine/reference-registration.js";
import { methodOps } from "./api/methods.js";
import { Tensor } from "./tensor.js";
import { installAliasMethods } from "./api/alias-methods.js";

export { Tensor, Variable, type TensorLike, type NestedArray } from "./tensor.js";
export type { DType, TypedArray } from "./dtype.js";
export * from "./errors.js";
export * from "./api/creation.js";
export * from "./api/random.js";
export { multinomial } from "./api/sampling.js";
export * from "./api/elementwise.js";
export * from "./api/reduce.js";
export * from "./api/movement.js";
export * from "./api/linalg.js";
export * from "./api/index-ops.js";
export * from "./api/conv.js";
export * from "./api/nn.js";
export * from "./api/autodiff.js";
export * from "./api/aliases.js";
export { norm, sort, type NormOrder } from "./api/composites.js";
export { einsum } from "./api/einsum.js";
export * as util from "./api/util.js";
export { setSlowBackendWarning, HEAVY_OP_MACS } from "./api/slow-backend-warning.js";
export type { TensorJSON } from "./tensor-json.js";
// Exported so the declaration files carry the Tensor augmentation that adds these methods.
export type { AliasMethods } from "./api/alias-methods.js";
export { withDevice } from "./api/device.js";
export { setDefaultDevice, getDefaultDevice, listBackends, registerBackend, ready, resolveDevice, type BackendStatus } from "./engine/registry.js";
export { placementReport, resetPlacementReport, setFallbackPolicy, getFallbackPolicy, type PlacementReport, type FallbackPolicy, type DeviceReport } from "./engine/placement.js";
export { tidy, type MemoryInfo } from "./engine/memory.js";
export * from "./debug/index.js";
export { setMemoryLimits, getMemoryLimits, MemoryLimitError, type MemoryLimits } from "./engine/memory-limit.js";
export { trace, Graph, type GraphJSON, type GraphNode, type TraceArg } from "./engine/trace.js";
export { compile, jit, type CompileOptions, type CompiledFunction } from "./compile/compile.js";
export { hostEffect, hostValue, onReplay } from "./compile/host.js";
export { cond, whileLoop, type WhileLoopOptions } from "./compile/control-flow.js";
export { scan, type ScanOptions } from "./compile/control-flow-scan.js";
export type { Program, ProgramKernel, PassStats } from "./compile/program.js";
export type { TensorSignature } from "./compile/signature.js";
export { opNames, type OpName } from "./ops/table.js";
export * from "./export/index.js";
export * as onnx from "./export/onnx.js";
export type { TapeOptions } from "./engine/tape.js";
export * as layers from "./layers/index.js";
export { Network } from "./layers/network.js";
export { Sequential } from "./layers/sequential.js";
export { sequential } from "./layers/factories.js";
export * as losses from "./losses/index.js";
export * as nn from "./losses/nn-namespace.js";
export * as train from "./train/index.js";
export * as data from "./data/index.js";
export * as metrics from "./metrics/index.js";

/** Keep `t` alive past the enclosing `tidy` scopes. Returns t. */
export function keep<T extends Tensor>(t: T): T {
  return t._keep();
}

for (const [name, fn] of Object.entries(methodOps)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...args: unknown[]) {
      return (fn as (...a: unknown[]) => unknown)(this, ...args);
    },
    writable: true,
    configurable: true,
  });
}

installAliasMethods();
