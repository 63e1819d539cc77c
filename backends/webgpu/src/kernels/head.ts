/**
 * A head kernel (matmul, conv2d, a reduction) as data: its pipeline key, its WGSL given an
 * optional epilogue, buffers, params and grid. The plain kernel dispatches it as is; a fused
 * epilogue adds its bindings, functions and params (after the head's) and wraps each store.
 * A head may first encode a pass into a scratch buffer that its own dispatch then reads.
 */
import type { GpuBuffer, Runtime } from "../runtime.js";
import type { Binding } from "../wgsl.js";

/** What an elementwise epilogue adds to a head's shader: `fn epilogue(i: u32, v: T) -> T` and what it reads. */
export interface Tail {
  /** The epilogue's part of the pipeline key (expression, dtypes, indexing modes, params slot). */
  readonly key: string;
  /** Storage bindings read by the epilogue, declared after the head's. */
  readonly bindings: readonly Binding[];
  /** WGSL functions: `epilogue` and what it calls. */
  readonly fns: string;
  readonly buffers: readonly GpuBuffer[];
  /** Params appended after the head's. */
  readonly params: readonly number[];
}

/** One dispatch of a head kernel. */
export interface HeadDispatch {
  readonly key: string;
  /** The shader; with a tail, every store of output element `o` writes `epilogue(o, value)`. */
  source(tail: Tail | null): string;
  /** Output first, then inputs, as the shader declares them. */
  readonly buffers: readonly GpuBuffer[];
  readonly params: readonly number[];
  readonly workgroups: readonly [number, number, number];
  /** A first pass writing a scratch buffer of `bytes` that replaces `buffers[at]`; released once the head is encoded. */
  readonly scratch?: Scratch;
}

/** A pass encoded before a head's dispatch, into a pooled buffer the head reads. */
export interface Scratch {
  readonly bytes: number;
  /** Which of the head's buffers the scratch buffer stands for. */
  readonly at: number;
  encode(rt: Runtime, scratch: GpuBuffer): void;
}

/** The stored value of output element `index`: `value`, through the epilogue when there is one. */
export function stored(tail: Tail | null, index: string, value: string): string {
  return tail ? `epilogue(${index}, ${value})` : value;
}

/** The bindings and functions a head declares, with the tail's after its own. */
export function withTail(tail: Tail | null, bindings: readonly Binding[], fns = ""): { bindings: Binding[]; fns: string } {
  return { bindings: [...bindings, ...(tail?.bindings ?? [])], fns: tail ? `${fns}\n${tail.fns}` : fns };
}

/** Encode `head`, with `tail` applied before its stores when given. */
export function dispatchHead(rt: Runtime, head: HeadDispatch, tail: Tail | null = null): void {
  const key = tail ? `${head.key}|${tail.key}` : head.key;
  const own = [...head.buffers];
  const scratch = head.scratch ? { buffer: rt.storage.acquire(head.scratch.bytes), generation: rt.generation } : null;
  if (scratch) {
    head.scratch!.encode(rt, scratch);
    own[head.scratch!.at] = scratch;
  }
  const buffers = tail ? [...own, ...tail.buffers] : own;
  const params = tail ? [...head.params, ...tail.params] : head.params;
  rt.dispatch(key, () => head.source(tail), buffers, params, head.workgroups);
  if (scratch) rt.release(scratch.buffer);
}
