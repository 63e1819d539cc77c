/**
 * Errors name what the user called. A public function that is built from other ops runs its
 * body through `asCalled(name, ...)`; an EagerError thrown inside, which names the inner op
 * ("fill: ...", "stridedSlice: ...", "reshape: ..."), leaves with the public name instead
 * ("zeros: ..."). The outermost public call wins. Nothing runs on the success path but one
 * try/finally, and dispatch is untouched.
 */
import { engine } from "../engine/engine.js";
import { EagerError } from "../errors.js";

/** The public function whose body is running, if any (for messages built outside an op). */
export function publicCaller(): string | null {
  return engine.publicCaller;
}

const LEADING_NAME = /^[A-Za-z_$][\w$.]*(?=:| \()/;

/** Rename the op an EagerError's message starts with to `name` (message and stack). */
export function renameCaller(e: unknown, name: string): unknown {
  if (!(e instanceof EagerError)) return e;
  const m = LEADING_NAME.exec(e.message);
  if (m === null || m[0] === name) return e;
  const old = e.message;
  e.message = name + old.slice(m[0].length);
  if (typeof e.stack === "string") e.stack = e.stack.replace(old, e.message);
  return e;
}

/**
 * Run `fn` as the public function `name`: errors from the ops it calls are reported under
 * `name`. @example export function zeros(shape) { return asCalled("zeros", () => fill(shape, 0)); }
 */
export function asCalled<R>(name: string, fn: () => R): R {
  if (engine.publicCaller !== null) return fn();
  engine.publicCaller = name;
  try {
    return fn();
  } catch (e) {
    throw renameCaller(e, name);
  } finally {
    engine.publicCaller = null;
  }
}
