/**
 * What `JSON.stringify(tensor)` writes: dtype, shape, device and (for tensors of up to
 * 1,000 elements that can be read synchronously) the values as nested arrays. Never storage
 * or backend fields, so a tensor inside a logged object stays small.
 */
import type { Tensor, NestedArray } from "./tensor.js";

/** The JSON form of a tensor. `values` is absent when the tensor is large, disposed, symbolic or on an async-only device. */
export interface TensorJSON {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly device: string;
  readonly name?: string;
  readonly values?: NestedArray;
  /** Why `values` is absent. */
  readonly note?: string;
}

/** Largest tensor whose values `toJSON` includes. */
export const JSON_VALUES_LIMIT = 1000;

/** @internal */
export function tensorToJSON(t: Tensor): TensorJSON {
  const base = { dtype: t.dtype, shape: [...t.shape], device: t.device, ...("name" in t && typeof t.name === "string" ? { name: t.name } : {}) };
  if (t.isDisposed) return { ...base, note: "disposed" };
  if (t.isSymbolic) return { ...base, note: "symbolic" };
  if (t.size > JSON_VALUES_LIMIT) return { ...base, note: `${t.size} elements (values are included up to ${JSON_VALUES_LIMIT})` };
  try {
    return { ...base, values: t.arraySync() };
  } catch {
    return { ...base, note: "this device reads asynchronously; await t.array() for the values" };
  }
}
