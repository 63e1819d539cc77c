/**
 * The worker side: buffers live here, keyed by id, and kernels run here. Kernels are the op
 * table's reference implementations, which assume zero-filled outputs: every buffer is a new
 * zeroed typed array, never reused. Platform-free; worker-node.mjs and worker-browser.ts expose it.
 */
import { transfer } from "comlink";
import { allocArray, opTable, type OpName, type RefTensor, type TypedArray } from "@eager/core/backend";
import type { Command, TensorRef, WorkerApi } from "./protocol.js";

type RefKernel = (inputs: readonly RefTensor[], outputs: readonly RefTensor[], attrs: unknown) => void;

/** The worker's state and the calls the main thread makes on it. */
export function createHost(): WorkerApi {
  const buffers = new Map<number, TypedArray>();
  const buffer = (id: number): TypedArray => {
    const b = buffers.get(id);
    if (!b) throw new Error(`worker backend: no buffer ${id} (freed, or never allocated)`);
    return b;
  };
  const view = (t: TensorRef): RefTensor => {
    const data = buffer(t.id);
    return { data, shape: t.shape, dtype: t.dtype, size: data.length };
  };
  const apply = (c: Command): void => {
    if (c.kind === "alloc") buffers.set(c.id, allocArray(c.dtype, c.size));
    else if (c.kind === "write") buffer(c.id).set(c.data);
    else if (c.kind === "free") buffers.delete(c.id);
    else (opTable[c.op as OpName].ref as RefKernel)(c.inputs.map(view), c.outputs.map(view), c.attrs);
  };
  return {
    // Every command is applied even after one fails (later allocs and frees must still
    // happen); the first failure is thrown at the end, and the main thread reports it.
    exec(commands) {
      let failure: Error | null = null;
      for (const c of commands) {
        try {
          apply(c);
        } catch (e) {
          failure ??= new Error(`${c.kind === "run" ? c.op : c.kind} failed in the worker: ${(e as Error).message}`);
        }
      }
      if (failure) throw failure;
    },
    read: (id) => {
      const copy = buffer(id).slice();
      return transfer(copy, [copy.buffer]);
    },
  };
}
