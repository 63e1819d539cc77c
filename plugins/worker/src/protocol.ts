/**
 * The messages between the main thread and the worker. Everything that changes worker state
 * is a `Command`, sent in batches in program order; `read` is the only call that answers.
 */
import type { DType, TypedArray } from "@eager/core/backend";

/** A tensor as the worker sees it: its buffer's id, shape and dtype. */
export interface TensorRef {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One unit of work, applied by the worker in the order sent. */
export type Command =
  | { readonly kind: "alloc"; readonly id: number; readonly dtype: DType; readonly size: number }
  | { readonly kind: "write"; readonly id: number; readonly data: TypedArray }
  | { readonly kind: "free"; readonly id: number }
  | { readonly kind: "run"; readonly op: string; readonly inputs: readonly TensorRef[]; readonly outputs: readonly TensorRef[]; readonly attrs: unknown };

/** What the worker exposes through comlink. */
export interface WorkerApi {
  /** Apply commands in order; throws (rejecting the call) at the first that fails. */
  exec(commands: readonly Command[]): void;
  /** A copy of a buffer's contents, after every command sent before this call. */
  read(id: number): TypedArray;
}
