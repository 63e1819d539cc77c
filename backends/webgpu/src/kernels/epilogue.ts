/**
 * Fused epilogues: a head kernel (matmul, conv2d, sum/mean/prod/max/min/all/any) whose
 * elementwise tail runs in the same shader, on each result before it is stored. The tail is
 * the scalar IR lowered to WGSL (ir-wgsl.ts) inside `fn epilogue(i, v)`; its extra inputs are
 * read with the elementwise kernels' broadcast indexing (broadcast.ts), their params placed
 * after the head's. Anything else declines (returns false) before encoding anything.
 */
import type { Expr, KernelTensor, ResolvedOp } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { wgslType } from "../wgsl.js";
import { broadcastParams, indexing, loads, modeOf } from "./broadcast.js";
import { conv2dHead } from "./conv.js";
import { dispatchHead, type HeadDispatch, type Tail } from "./head.js";
import { lowerToWgsl, POW_I, wgslForm } from "./ir-wgsl.js";
import { matmulHead } from "./matmul.js";
import { REDUCE_OPS, reduceHead, type ReduceOp } from "./reduce.js";

type T = KernelTensor<GpuBuffer>;

const STORED = new Set(["float32", "int32", "bool"]);
const REDUCTIONS = new Set<string>(REDUCE_OPS);

/** The head's dispatch, or null for a head this backend does not fuse. */
function headDispatch(head: ResolvedOp<unknown, GpuBuffer>, y: T): HeadDispatch | null {
  const name = head.def.name;
  const inputs = head.inputs as readonly T[];
  if (name === "matmul") return matmulHead(inputs, y, head.attrs as { transposeA: boolean; transposeB: boolean });
  if (name === "conv2d") return y.dtype === "float32" ? conv2dHead(inputs, y, head.attrs as never, head) : null;
  if (REDUCTIONS.has(name)) return reduceHead(name as ReduceOp, inputs[0]!, y, (head.attrs as { axes: readonly number[] }).axes);
  return null;
}

/**
 * The tail of `expr` over the head's value (input 0, of `y`'s dtype) and `extras` (inputs 1..)
 * broadcast to `y`, reading its params from slot `base`. `form` is the expression's text.
 */
function tailOf(expr: Expr, form: string, extras: readonly T[], y: T, base: number): Tail {
  const all = [y, ...extras];
  const modes = all.map((t) => modeOf(t, y));
  const t = wgslType(y.dtype);
  const low = lowerToWgsl(expr, () => {
    throw new Error("webgpu: a fused epilogue has no attrs");
  });
  const fns = `${low.usesPowI ? POW_I : ""}
fn epilogue(i: u32, raw: ${t}) -> ${t} {
  ${indexing(modes, base)}
  let x0 = raw${y.dtype === "bool" ? " != 0u" : ""};
  ${loads(all, (k) => `ep${k}`, 1)}
  ${low.code}
  return ${y.dtype === "bool" ? "select(0u, 1u, v)" : "v"};
}`;
  return {
    key: `ep:${all.map((x) => x.dtype).join(",")}:${modes.join("")}:${base}:${form}`,
    bindings: extras.map((x, k) => ({ name: `ep${k + 1}`, type: wgslType(x.dtype) })),
    fns,
    buffers: extras.map((x) => x.data),
    params: broadcastParams(all, modes, y),
  };
}

/**
 * `Backend.fusedEpilogue` for WebGPU: the head's shader with `epilogue` applied before each
 * store, one pipeline per head shape class, epilogue text, dtypes and indexing modes (the
 * runtime's cache). False, with nothing encoded, for other heads, dtypes without a WGSL storage
 * type, an expression without a WGSL form or whose dtype is not the output's, or more extras
 * than a shader stage may bind.
 */
export function fusedEpilogueKernel(rt: () => Runtime): (head: ResolvedOp<unknown, GpuBuffer>, expr: Expr, extras: readonly T[], y: T) => boolean {
  return (head, expr, extras, y) => {
    if (expr.dtype !== y.dtype || !STORED.has(y.dtype) || extras.some((x) => !STORED.has(x.dtype))) return false;
    if (head.inputs.some((x) => !STORED.has(x.dtype))) return false;
    const form = wgslForm(expr);
    if (form === null) return false;
    const dispatch = headDispatch(head, y);
    if (dispatch === null) return false;
    const runtime = rt();
    // The head's buffers, the extras and the parameter words are storage buffers of one shader stage.
    if (dispatch.buffers.length + extras.length + 1 > runtime.device.limits.maxStorageBuffersPerShaderStage) return false;
    if (y.size === 0) return true;
    dispatchHead(runtime, dispatch, tailOf(expr, form, extras, y, dispatch.params.length));
    return true;
  };
}
