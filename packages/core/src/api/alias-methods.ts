/**
 * TF.js tensor methods that are aliases of functions here: `t.print()`, `t.clone()`,
 * `t.flatten()`, `t.asType(dtype)`, `t.norm()` and `t.sort()` (`t.squaredDifference(b)` is an
 * elementwise op method).
 * Imported once by index.ts, which installs them on Tensor.prototype.
 */
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { asType, clone, flatten, print } from "./aliases.js";
import { norm, sort, type NormOrder } from "./composites.js";

/** The TF.js alias methods every Tensor has. */
export interface AliasMethods {
  /** Alias of TF.js `t.print(verbose?)`: write this tensor to the console. See {@link print}. */
  print(verbose?: boolean): void;
  /** Alias of TF.js `t.clone()`: a new tensor with the same values. */
  clone(): Tensor;
  /** Alias of TF.js `t.flatten()`: reshape to rank 1. */
  flatten(): Tensor;
  /** Alias of TF.js `t.asType(dtype)`: same as `cast`. */
  asType(dtype: DType): Tensor;
  /** Vector or matrix norm. See {@link norm}. */
  norm(ord?: NormOrder, axis?: number | readonly number[] | null, keepDims?: boolean): Tensor;
  /** Values along the last axis, sorted. See {@link sort}. */
  sort(descending?: boolean): Tensor;
}

declare module "../tensor.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends AliasMethods {}
}

const aliasMethods: Record<string, (self: Tensor, ...args: never[]) => unknown> = {
  print: (t, verbose?: boolean) => print(t, verbose),
  clone: (t) => clone(t),
  flatten: (t) => flatten(t),
  asType: (t, dtype: DType) => asType(t, dtype),
  norm: (t, ord?: NormOrder, axis?: number | readonly number[] | null, keepDims?: boolean) => norm(t, ord, axis, keepDims),
  sort: (t, descending?: boolean) => sort(t, descending),
};

/** @internal Install the alias methods on Tensor.prototype (idempotent). */
export function installAliasMethods(): void {
  for (const [name, fn] of Object.entries(aliasMethods)) {
    Object.defineProperty(Tensor.prototype, name, {
      value: function (this: Tensor, ...args: never[]) {
        return fn(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
}
