/**
 * The `util` namespace: TF.js `tf.util` basics on plain JS values (no tensors): sizes and
 * shapes of nested arrays, array equality, in-place shuffles, assertions and a clock.
 */
import { hostValues } from "../engine/host-data.js";
import { InvalidArgumentError } from "../errors.js";
import { sizeOf } from "../shape.js";
import type { NestedArray } from "../tensor.js";
import type { TypedArray } from "../dtype.js";

/** Number of elements of a tensor of `shape` (1 for a scalar). @example util.sizeFromShape([2, 3]) // 6 */
export function sizeFromShape(shape: readonly number[]): number {
  return sizeOf(shape);
}

/** Whether two arrays (or typed arrays) have the same length and equal elements. */
export function arraysEqual(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Shuffle `array` in place (Fisher-Yates with Math.random, as TF.js). */
export function shuffle(array: unknown[] | TypedArray): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = array[i]!;
    array[i] = array[j]!;
    array[j] = t as never;
  }
}

/** Shuffle two arrays of the same length in place with the same permutation. */
export function shuffleCombo(a: unknown[] | TypedArray, b: unknown[] | TypedArray): void {
  if (a.length !== b.length) throw new InvalidArgumentError(`util.shuffleCombo: arrays have different lengths ${a.length} and ${b.length}`);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    for (const arr of [a, b]) {
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t as never;
    }
  }
}

/** Throw an InvalidArgumentError with `msg()` when `expr` is false. */
export function assert(expr: boolean, msg: () => string): asserts expr {
  if (!expr) throw new InvalidArgumentError(msg());
}

/** Nested arrays flattened into one array, row-major. @example util.flatten([[1, 2], [3]]) // [1, 2, 3] */
export function flatten<T>(arr: T | readonly (T | readonly unknown[])[]): T[] {
  const out: T[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else out.push(x as T);
  };
  walk(arr);
  return out;
}

/** The shape of nested arrays (checked to be rectangular). @example util.inferShape([[1, 2, 3]]) // [1, 3] */
export function inferShape(values: NestedArray | TypedArray): number[] {
  return hostValues(values, undefined, undefined, "util.inferShape").shape;
}

/** Whether `x` is a typed array (not a DataView). */
export function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** A high-resolution time in milliseconds (performance.now()). */
export function now(): number {
  return performance.now();
}
