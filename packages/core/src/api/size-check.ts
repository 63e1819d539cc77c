/**
 * Size checks for tensors built on the host (range, linspace, eye): the shape is validated
 * and compared with the current device's element limit before any host array is allocated,
 * so an impossible request fails at once instead of after gigabytes of work.
 */
import type { DType } from "../dtype.js";
import { currentDevice } from "../engine/dispatch.js";
import { getBackend } from "../engine/registry.js";
import { InvalidArgumentError } from "../errors.js";
import { validateShape } from "../shape.js";

/** Validate `shape` for a new `dtype` tensor on the current device; returns its element count. */
export function checkNewTensorSize(op: string, shape: readonly number[], dtype: DType): number {
  const size = validateShape(shape, op).reduce((a, b) => a * b, 1);
  const device = currentDevice().name;
  const limit = getBackend(device).capabilities.maxElements;
  if (limit !== undefined && size > limit)
    throw new InvalidArgumentError(`${op}: a ${dtype} tensor of ${size} elements exceeds the limit of device "${device}" (${limit} elements)`);
  return size;
}
