/**
 * `@eager/core`: tensors whose ops run the moment they are called, gradients from a tape,
 * device placement, tracing. Importing it registers the reference backend ("reference").
 */
import "./engine/reference-registration.js";
import { methodOps } from "./api/methods.js";
import { Tensor } from "./tensor.js";

export { Tensor, Variable, type TensorLike, type NestedArray } from "./tensor.js";
export type { DType, TypedArray } from "./dtype.js";
export * from "./errors.js";
export * from "./api/creation.js";
export * from "./api/random.js";
export * from "./api/elementwise.js";
export * from "./api/reduce.js";
export * from "./api/movement.js";
export * from "./api/linalg.js";
export * from "./api/index-ops.js";
export * from "./api/conv.js";
export * from "./api/nn.js";
export * from "./api/autodiff.js";
export { withDevice } from "./api/device.js";
export { setDefaultDevice, getDefaultDevice, listBackends, registerBackend, ready, resolveDevice, type BackendStatus } from "./engine/registry.js";
export { placementReport, resetPlacementReport, setFallbackPolicy, getFallbackPolicy, type PlacementReport, type FallbackPolicy, type DeviceReport } from "./engine/placement.js";
export { memory, tidy, type MemoryInfo } from "./engine/memory.js";
export { trace, Graph, type GraphJSON, type GraphNode, type TraceArg } from "./engine/trace.js";
export { compile, jit, type CompileOptions, type CompiledFunction } from "./compile/compile.js";
export { hostValue, onReplay } from "./compile/host.js";
export { cond, whileLoop, type WhileLoopOptions } from "./compile/control-flow.js";
export { scan, type ScanOptions } from "./compile/control-flow-scan.js";
export type { Program, ProgramKernel, PassStats } from "./compile/program.js";
export type { TensorSignature } from "./compile/signature.js";
export { opNames, type OpName } from "./ops/table.js";
export type { TapeOptions } from "./engine/tape.js";
export * as layers from "./layers/index.js";
export { Network } from "./layers/network.js";
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
