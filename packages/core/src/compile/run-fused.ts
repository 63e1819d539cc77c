/**
 * Running a fused unit: on the device its inputs live on (or the scope's), through the
 * backend's `fusedElementwise` when it has one; otherwise, or when it declines, the unit's ops
 * run one by one through the dispatcher, each intermediate freed as soon as it is read.
 */
import type { DType } from "../dtype.js";
import { currentFrame } from "../engine/context.js";
import { allocOn } from "../engine/dispatch.js";
import { runOp } from "../engine/dispatch.js";
import { Storage } from "../engine/memory.js";
import { noteOp } from "../engine/placement.js";
import { getBackend, getDefaultDevice } from "../engine/registry.js";
import type { Expr } from "../ir/expr.js";
import type { KernelTensor } from "../ops/def.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Backend } from "../plugin.js";
import type { TraceNode } from "./builder.js";
import type { ViewLayout } from "./fused-views.js";

/** The backend a fused kernel over `inputs` runs on: the scope's device, else the first placed input's, else the default. */
function fusedBackend(inputs: readonly Tensor[]): { backend: Backend<any>; placed: boolean } {
  const frame = currentFrame();
  let device = frame.device;
  let placed = device !== null;
  if (!device)
    for (const t of inputs)
      if (t._placed) {
        device = t.device;
        placed = true;
        break;
      }
  return { backend: getBackend(device ?? getDefaultDevice()), placed };
}

/** `t`'s kernel view, read through `layout` when given (a strided window on t's buffer). */
export function kernelInput(t: Tensor, layout: ViewLayout | null | undefined): KernelTensor {
  const k = t._kernelView();
  return layout ? { data: k.data, dtype: k.dtype, shape: layout.shape, size: sizeOf(layout.shape), strides: layout.strides, offset: layout.offset } : k;
}

/**
 * The fused kernel's output, or null when the device cannot fuse (the caller runs the ops).
 * `layouts[k]`, when set, reads input k as that view (only for backends with `fusedViews`);
 * `into`, a donated input the caller gives up, takes the output in its buffer.
 */
export function runFused(expr: Expr, inputs: readonly Tensor[], shape: readonly number[], dtype: DType, layouts?: readonly (ViewLayout | null)[] | null, into?: Tensor): Tensor | null {
  const { backend, placed } = fusedBackend(inputs);
  if (!backend.fusedElementwise || !backend.capabilities.dtypes.includes(dtype)) return null;
  if (layouts && !backend.capabilities.fusedViews) return null;
  const kin: KernelTensor[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k]!;
    const s = t._live("compiled kernel");
    if (s.backend !== backend || !backend.capabilities.dtypes.includes(t.dtype)) return null;
    kin.push(kernelInput(t, layouts?.[k]));
  }
  const size = sizeOf(shape);
  // A donated input of the output's shape and dtype is overwritten in place (each element read before it is written).
  let storage: Storage;
  if (into !== undefined && into.dtype === dtype && into.size === size && into._live("compiled kernel").backend === backend) {
    storage = into._live("compiled kernel");
    storage.retain();
  } else storage = new Storage(backend, allocOn(backend, dtype, size, "fused"), dtype, size);
  const out = new Tensor(storage, shape, dtype, placed, currentFrame().tidy);
  let ok = false;
  try {
    ok = size === 0 || backend.fusedElementwise(expr, kin, out._kernelView());
  } finally {
    if (!ok) out.dispose();
  }
  if (!ok) return null;
  noteOp("fused", backend.name);
  return out;
}

/** Run a fused unit's ops one by one (devices without fusion): `inputs[i]` is value `u.inputs[i]`. */
export function runUnfused(u: { readonly inputs: readonly number[]; readonly nodes: readonly TraceNode[] }, inputs: readonly Tensor[]): Tensor {
  const env = new Map<number, Tensor>();
  u.inputs.forEach((id, i) => env.set(id, inputs[i]!));
  const made: Tensor[] = [];
  let done = false;
  try {
    for (const n of u.nodes) {
      const [y] = runOp(n.op, n.inputs.map((id) => env.get(id)!), n.attrs as never);
      env.set(n.outputs[0]!.id, y!);
      made.push(y!);
    }
    done = true;
    return made[made.length - 1]!;
  } finally {
    for (const t of done ? made.slice(0, -1) : made) t.dispose();
  }
}
