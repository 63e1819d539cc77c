/**
 * Dataset elements are structures: a tensor, an array of structures, or a plain object of
 * structures. These helpers walk them: list their tensors, rebuild them, stack a list of
 * equally shaped structures into one batch (on the host, then to the current device).
 */
import { allocArray, type DType } from "../dtype.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { InvalidArgumentError, ShapeError, DTypeError } from "../errors.js";
import { shapesEqual, shapeStr } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A dataset element: tensors, arrays of elements, or objects of elements. */
export type Structure = Tensor | readonly Structure[] | { readonly [k: string]: Structure };

/** Every tensor in a structure, depth first. */
export function leaves(x: unknown, out: Tensor[] = []): Tensor[] {
  if (x instanceof Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) leaves(v, out);
  else if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) leaves(v, out);
  return out;
}

/** Rebuild `like`'s structure with leaves taken in order from `values`. */
export function rebuild<T>(like: T, values: readonly Tensor[]): T {
  let i = 0;
  const walk = (x: unknown): unknown => {
    if (x instanceof Tensor) return values[i++];
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  return walk(like) as T;
}

/** Dispose every tensor of `x` that is not in `keep`. */
export function disposeExcept(x: unknown, keep: unknown): void {
  const kept = new Set(leaves(keep));
  for (const t of leaves(x)) if (!kept.has(t)) t.dispose();
}

/** Check an element is a structure of tensors (numbers and booleans become scalar tensors). */
export function normalizeElement(x: unknown, where: string): Structure {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") return tensorFromHost(new Float32Array([x]), [], "float32");
  if (typeof x === "boolean") return tensorFromHost(new Uint8Array([x ? 1 : 0]), [], "bool");
  if (Array.isArray(x)) return x.map((v) => normalizeElement(v, where));
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalizeElement(v, where)]));
  throw new InvalidArgumentError(`${where}: dataset elements must be tensors, numbers, or arrays or plain objects of them; got ${x === null ? "null" : typeof x}`);
}

/** Stack n structures of equal shapes into one with a new leading axis. Inputs are not disposed. */
export async function stackStructures<T>(items: readonly T[], where: string): Promise<T> {
  const lists = items.map((it) => leaves(it));
  const first = lists[0]!;
  const out: Tensor[] = [];
  for (let j = 0; j < first.length; j++) {
    const proto = first[j]!;
    const dtype: DType = proto.dtype;
    const data = allocArray(dtype, proto.size * items.length);
    for (let i = 0; i < items.length; i++) {
      const t = lists[i]![j];
      if (!t || !shapesEqual(t.shape, proto.shape))
        throw new ShapeError(`${where}: element ${i} has a component of shape ${t ? shapeStr(t.shape) : "(missing)"} but element 0 has ${shapeStr(proto.shape)}; batch needs equal shapes`);
      if (t.dtype !== dtype) throw new DTypeError(`${where}: element ${i} has a ${t.dtype} component where element 0 has ${dtype}`);
      data.set(await t.data(), i * proto.size);
    }
    out.push(tensorFromHost(data, [items.length, ...proto.shape], dtype));
  }
  return rebuild(items[0]!, out);
}
