/**
 * Named error classes. Every error thrown by an op names the op and the offending argument,
 * so messages read like "matmul: inner dimensions differ: a is [2,3], b is [4,5]".
 */

/** Base class of every error this library throws on purpose. */
export class EagerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** A shape, rank or size is wrong for the op. */
export class ShapeError extends EagerError {}
/** A dtype is wrong for the op, or two dtypes cannot be combined. */
export class DTypeError extends EagerError {}
/** An axis is out of range for the tensor's rank. */
export class AxisError extends EagerError {}
/** A plain argument (not a tensor) is invalid: negative sizes, NaN, bad options. */
export class InvalidArgumentError extends EagerError {}
/** A tensor was used after `dispose()`. */
export class DisposedTensorError extends EagerError {}
/** Inputs were explicitly placed on different devices and no scope chose one. */
export class DeviceMismatchError extends EagerError {}
/** A device name that no registered backend answers to. */
export class UnknownDeviceError extends EagerError {}
/** A backend lacks a kernel or dtype and the fallback policy forbids moving on. */
export class KernelUnavailableError extends EagerError {}
/** A gradient reached an op that declares it has none. */
export class NonDifferentiableError extends EagerError {}
/** A value was read from a symbolic (traced) tensor, which holds no data. */
export class SymbolicTensorError extends EagerError {}
/** A backend cannot do something it was asked (e.g. synchronous readback). */
export class BackendCapabilityError extends EagerError {}
/** A backend whose initialization failed: ops placed on it name the reason. */
export class BackendUnavailableError extends EagerError {}
