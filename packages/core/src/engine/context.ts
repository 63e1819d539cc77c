/**
 * Dynamic scopes that survive `await`: device scopes, tidy scopes and recording tapes.
 * In Node this uses AsyncLocalStorage, so concurrent async scopes never see each other;
 * elsewhere a plain stack is used and async scopes must not interleave.
 */
import { platform } from "#platform";

/** What is in force at one point of execution. Immutable: entering a scope makes a copy. */
export interface Frame {
  readonly device: string | null;
  readonly tidy: TidyScope | null;
  readonly tapes: readonly TapeLike[];
  /** Non-zero while tapes must not record (inside a custom gradient's forward). */
  readonly pauseRecording: boolean;
}

/** The part of a tape the context needs to know. */
export interface TapeLike {
  readonly id: number;
}

/** Tensors created inside one `tidy` call. */
export interface TidyScope {
  readonly tracked: Set<object>;
  readonly parent: TidyScope | null;
}

const ROOT: Frame = { device: null, tidy: null, tapes: [], pauseRecording: false };

const als = platform.asyncStorage<Frame>();
let stack: Frame[] = [ROOT];

/** The frame in force now. */
export function currentFrame(): Frame {
  if (als) return als.getStore() ?? ROOT;
  return stack[stack.length - 1]!;
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}

/**
 * Run `fn` with `patch` applied to the current frame. Works for sync and async `fn`;
 * `onExit` runs when `fn` returns or its promise settles.
 */
export function withFrame<R>(patch: Partial<Frame>, fn: () => R): R {
  const frame: Frame = { ...currentFrame(), ...patch };
  if (als) return als.run(frame, fn);
  stack.push(frame);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    stack = stack.filter((f) => f !== frame);
    throw e;
  }
  if (isPromise(result)) {
    return result.finally(() => {
      stack = stack.filter((f) => f !== frame);
    }) as R;
  }
  stack = stack.filter((f) => f !== frame);
  return result;
}

export { isPromise };
