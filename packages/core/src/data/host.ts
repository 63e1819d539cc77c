/**
 * Host elements: a dataset element with every tensor replaced by a plain
 * `{ data, shape, dtype }` record, which structured clone can send to a worker. The
 * conversion back accepts the same records (dtype optional: taken from the typed array),
 * numbers and booleans, nested in arrays and plain objects.
 */
import { dtypeOfArray, type DType, type TypedArray } from "../dtype.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { InvalidArgumentError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { normalizeElement, type Structure } from "./structure.js";

/** A tensor's values on the host, as a parallel map function receives and returns them. */
export interface HostTensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype?: DType;
}

/** `T` with each tensor replaced by a HostTensor. */
export type HostOf<T> = T extends Tensor ? HostTensor : T extends readonly unknown[] ? { [K in keyof T]: HostOf<T[K]> } : T extends object ? { [K in keyof T]: HostOf<T[K]> } : T;

/** Copies every tensor of `x` to the host (the tensors are not disposed). */
export async function toHostElement(x: unknown): Promise<unknown> {
  if (x instanceof Tensor) return { data: await x.data(), shape: [...x.shape], dtype: x.dtype } satisfies HostTensor;
  if (Array.isArray(x)) return Promise.all(x.map(toHostElement));
  if (x !== null && typeof x === "object") return Object.fromEntries(await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await toHostElement(v)] as const)));
  return x;
}

function isHostTensor(x: unknown): x is HostTensor {
  return x !== null && typeof x === "object" && ArrayBuffer.isView((x as HostTensor).data) && Array.isArray((x as HostTensor).shape);
}

/** Turns a host element back into tensors on the current device. `where` names the caller in errors. */
export function fromHostElement(x: unknown, where: string): Structure {
  if (isHostTensor(x)) {
    const dtype = x.dtype ?? dtypeOfArray(x.data);
    if (!dtype) throw new InvalidArgumentError(`${where}: a returned { data, shape } has a ${x.data.constructor.name}; use a Float32Array, Int32Array, Uint8Array or Float64Array`);
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (size !== x.data.length) throw new InvalidArgumentError(`${where}: a returned tensor of shape [${x.shape.join(", ")}] needs ${size} values, got ${x.data.length}`);
    return tensorFromHost(x.data, x.shape, dtype);
  }
  if (Array.isArray(x)) return x.map((v) => fromHostElement(v, where));
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromHostElement(v, where)]));
  return normalizeElement(x, where);
}
