/**
 * Device scopes: `withDevice(name, fn)` routes every op and new tensor inside `fn` (sync or
 * async, nestable) to one backend.
 */
import { withFrame } from "../engine/context.js";
import { resolveDevice } from "../engine/registry.js";

/**
 * Run `fn` with ops placed on `device` ("cpu", "gpu", "webgpu", "reference", "/gpu:0", ...).
 * @example const y = withDevice("gpu", () => matmul(a, b));
 */
export function withDevice<R>(device: string, fn: () => R): R {
  return withFrame({ device: resolveDevice(device) }, fn);
}
