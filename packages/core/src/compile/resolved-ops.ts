/**
 * A compiled program's fast path for its ops. The first run of each op goes through the
 * dispatcher; what it resolved (backend, kernel, output shapes and dtypes) is kept for the
 * input shapes, dtypes and device it saw, and later runs that match call the kernel directly,
 * without the shape rule, checks and device choice again. Ops with a plan, a decomposition, a
 * dtype promotion or an input moved between devices always take the dispatcher, as does every
 * op while a profiler observes ops or a tape records.
 */
import { shapesEqual } from "../shape.js";
import { isFloat, type DType } from "../dtype.js";
import type { Frame } from "../engine/context.js";
import { shouldDecompose } from "../engine/decompose.js";
import { allocOn, runOp } from "../engine/dispatch.js";
import { engine } from "../engine/engine.js";
import { Storage } from "../engine/memory.js";
import { noteOp } from "../engine/placement.js";
import { getDefaultDevice } from "../engine/registry.js";
import type { KernelTensor, OpDef, ResolvedOp } from "../ops/def.js";
import type { Backend } from "../plugin.js";
import { Tensor } from "../tensor.js";
import type { TraceNode } from "./builder.js";

interface Resolved {
  readonly device: string;
  readonly backend: Backend<any>;
  readonly inShapes: readonly (readonly number[])[];
  readonly inDTypes: readonly DType[];
  readonly outs: readonly { readonly shape: readonly number[]; readonly dtype: DType; readonly size: number }[];
}

type Kernel = (i: readonly KernelTensor[], o: readonly KernelTensor[], a: unknown, op: ResolvedOp<unknown>) => void;

/**
 * What a program keeps per step: the step's resolution (undefined before its first run, null
 * once it must always take the dispatcher). Indexed by step; one per program.
 */
export type ResolvedMemo = (Resolved | null | undefined)[];


function resolve(node: TraceNode, ins: readonly Tensor[], outs: readonly Tensor[], device: string): Resolved | null {
  const def = node.def as OpDef<unknown>;
  if (def.plan || ins.length === 0 || outs.length === 0) return null;
  const backend = outs[0]!._storage!.backend;
  const kernel = (backend.kernels as Record<string, unknown>)[node.op];
  if (typeof kernel !== "function" || shouldDecompose(def, backend)) return null;
  for (const t of [...ins, ...outs]) if (t._storage?.backend !== backend) return null;
  if (def.promote) {
    // Only calls the dispatcher ran without casting an input: one dtype, already the promoted one.
    const d = ins[0]!.dtype;
    if (ins.some((t) => t.dtype !== d) || (def.promote === "float" && !isFloat(d)) || (def.promote === "arith" && d === "bool")) return null;
  }
  return {
    device,
    backend,
    inShapes: ins.map((t) => t.shape),
    inDTypes: ins.map((t) => t.dtype),
    outs: outs.map((t) => ({ shape: t.shape, dtype: t.dtype, size: t.size })),
  };
}

/**
 * Run `node` on `ins` (live tensors): directly through its resolved kernel when the call matches, else through the dispatcher.
 * `frame` is the frame in force; `memo[at]` holds what the step's earlier runs resolved.
 */
export function runResolved(node: TraceNode, ins: readonly Tensor[], frame: Frame, memo: ResolvedMemo, at: number): Tensor[] {
  if (engine.opObserver !== null || engine.compiling !== null || (frame.tapes.length > 0 && !frame.pauseRecording)) return runOp(node.op, ins, node.attrs as never);
  // The device the dispatcher would choose: the scope's, else the first placed input's, else the default.
  let device = frame.device;
  let placed = true;
  for (let i = 0; device === null && i < ins.length; i++) if (ins[i]!._placed) device = ins[i]!.device;
  if (device === null) {
    device = getDefaultDevice();
    placed = false;
  }
  const r = memo[at];
  if (r === undefined) {
    const outs = runOp(node.op, ins, node.attrs as never);
    memo[at] = resolve(node, ins, outs, device);
    return outs;
  }
  let match = r !== null && r.device === device;
  for (let i = 0; match && i < ins.length; i++) {
    const t = ins[i]!;
    const shape = t.shape;
    const seen = r!.inShapes[i]!;
    match = t._storage?.backend === r!.backend && t.dtype === r!.inDTypes[i] && (shape === seen || shapesEqual(shape, seen));
  }
  // The kernel is read from the backend's table each call (a table entry may be replaced).
  const kernel = match ? ((r!.backend.kernels as Record<string, unknown>)[node.op] as Kernel | undefined) : undefined;
  if (typeof kernel !== "function") return runOp(node.op, ins, node.attrs as never);
  const { backend, outs: specs } = r!;
  const kin: KernelTensor[] = new Array(ins.length);
  for (let i = 0; i < ins.length; i++) kin[i] = ins[i]!._kernelView();
  const outs: Tensor[] = new Array(specs.length);
  const kout: KernelTensor[] = new Array(specs.length);
  const scope = frame.tidy;
  let anyElements = false;
  try {
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i]!;
      const buf = allocOn(backend, s.dtype, s.size, node.op);
      const t = new Tensor(new Storage(backend, buf, s.dtype, s.size), s.shape, s.dtype, placed, scope);
      outs[i] = t;
      kout[i] = t._kernelView();
      if (s.size > 0) anyElements = true;
    }
    if (anyElements) kernel(kin, kout, node.attrs, { def: node.def as OpDef<unknown>, inputs: kin, outputs: kout, attrs: node.attrs, device: backend.name, plan: undefined });
  } catch (e) {
    for (const t of outs) t?.dispose();
    throw e;
  }
  noteOp(node.op, backend.name);
  return outs;
}
