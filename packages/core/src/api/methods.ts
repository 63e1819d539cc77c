/**
 * Which ops are also Tensor methods (`a.add(b).relu()`). Each API module lists its own;
 * index.ts installs them on Tensor.prototype, and `TensorMethods` types them.
 */
import { convMethods } from "./conv.js";
import { elementwiseMethods } from "./elementwise.js";
import { indexMethods } from "./index-ops.js";
import { linalgMethods } from "./linalg.js";
import { movementMethods } from "./movement.js";
import { nnMethods } from "./nn.js";
import { reduceMethods } from "./reduce.js";

export const methodOps = {
  ...elementwiseMethods,
  ...reduceMethods,
  ...movementMethods,
  ...linalgMethods,
  ...indexMethods,
  ...convMethods,
  ...nnMethods,
};

type Rest<F> = F extends (first: never, ...rest: infer R) => unknown ? R : never;
/** Op methods on Tensor: the op with the tensor as first argument. */
export type TensorMethods = {
  [K in keyof typeof methodOps]: (...args: Rest<(typeof methodOps)[K]>) => ReturnType<(typeof methodOps)[K]>;
};
