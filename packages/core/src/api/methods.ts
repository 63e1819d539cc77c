/**
 * Which ops are also Tensor methods (`a.add(b).relu()`). Each API module lists its own;
 * index.ts installs them on Tensor.prototype. `TensorMethods` types them from the functions
 * themselves (a mapped type over each module's exports), so a method has its function's
 * parameters after the first, and hovering `x.add` shows the documentation of `add`.
 */
import { convMethods } from "./conv.js";
import { elementwiseMethods } from "./elementwise.js";
import { indexMethods } from "./index-ops.js";
import { linalgMethods } from "./linalg.js";
import { movementMethods } from "./movement.js";
import { nnMethods } from "./nn.js";
import { reduceMethods } from "./reduce.js";
import type * as Conv from "./conv.js";
import type * as Elementwise from "./elementwise.js";
import type * as IndexOps from "./index-ops.js";
import type * as Linalg from "./linalg.js";
import type * as Movement from "./movement.js";
import type * as Nn from "./nn.js";
import type * as Reduce from "./reduce.js";

export const methodOps = {
  ...elementwiseMethods,
  ...reduceMethods,
  ...movementMethods,
  ...linalgMethods,
  ...indexMethods,
  ...convMethods,
  ...nnMethods,
};

/** A function as a method: the tensor is its first argument. */
type Method<F> = F extends (first: never, ...rest: infer R) => infer O ? (...args: R) => O : never;

/**
 * The exports `K` of module namespace `NS` as methods. Homomorphic in `NS` (like `Pick`), so
 * each method keeps its function's declaration, and with it the function's TSDoc.
 */
type MethodsOf<NS, K extends keyof NS> = { [P in K]: Method<NS[P]> };

/** Op methods on Tensor: each op with the tensor as first argument, typed and documented by the function. */
export type TensorMethods = MethodsOf<typeof Elementwise, keyof typeof elementwiseMethods> &
  MethodsOf<typeof Reduce, keyof typeof reduceMethods> &
  MethodsOf<typeof Movement, keyof typeof movementMethods> &
  MethodsOf<typeof Linalg, keyof typeof linalgMethods> &
  MethodsOf<typeof IndexOps, keyof typeof indexMethods> &
  MethodsOf<typeof Conv, keyof typeof convMethods> &
  MethodsOf<typeof Nn, keyof typeof nnMethods>;
