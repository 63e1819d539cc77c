/**
 * Dynamic scopes that survive `await`: device scopes, tidy scopes and recording tapes.
 * In Node this uses AsyncLocalStorage, so concurrent async scopes never see each other;
 * elsewhere a plain stack is used and async scopes must not interleave. The state (the
 * AsyncLocalStorage or the stack) lives in the engine object.
 */
import type { Tensor } from "../tensor.js";
import { engine, ROOT_FRAME } from "./engine.js";
import { platform } from "#platform";

/** What is in force at one point of execution. Immutable: entering a scope makes a copy. */
export interface Frame {
  readonly device: string | null;
  readonly tidy: TidyScope | null;
  readonly tapes: readonly TapeLike[];
  /** Non-zero while tapes must not record (inside a custom gradient's forward). */
  readonly pauseRecording: boolean;
}

/** The part of a tape that dispatch needs: it records each op whose inputs it watches. */
export interface TapeLike {
  readonly id: number;
  record(name: string, vjp: unknown, saves: { readonly inputs?: boolean; readonly outputs?: boolean }, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void;
}

/** Tensors created inside one `tidy` call. */
export interface TidyScope {
  readonly tracked: Set<object>;
  readonly parent: TidyScope | null;
}

/** A set that keeps nothing (what the untracked scope's `tracked` is, so nothing can pile up in it). */
class DiscardingSet extends Set<object> {
  override add(): this {
    return this;
  }
}

/**
 * The scope a compiled program runs its kernels under: tensors made there are neither tracked
 * by a tidy scope nor registered with the finalizer, because the program itself frees each one
 * at its last use (and all of them when a kernel throws), and registers the ones it returns.
 */
export const UNTRACKED_SCOPE: TidyScope = Object.freeze({ tracked: new DiscardingSet(), parent: null });

// The async-context storage comes from the platform (Node's AsyncLocalStorage; none in browsers).
engine.asyncLocal ??= platform.asyncStorage<Frame>();

/** The frame in force now. Dispatch reads it once per op and passes it down. */
export function currentFrame(): Frame {
  const als = engine.asyncLocal;
  if (als) return als.getStore() ?? ROOT_FRAME;
  const stack = engine.frameStack;
  return stack[stack.length - 1]!;
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}

/**
 * Run `fn` with `patch` applied to the current frame. Works for sync and async `fn`;
 * the frame ends when `fn` returns or its promise settles.
 */
export function withFrame<R>(patch: Partial<Frame>, fn: () => R): R {
  const frame: Frame = { ...currentFrame(), ...patch };
  if (engine.asyncLocal) return engine.asyncLocal.run(frame, fn);
  engine.frameStack.push(frame);
  const leave = (): void => {
    engine.frameStack = engine.frameStack.filter((f) => f !== frame);
  };
  let result: R;
  try {
    result = fn();
  } catch (e) {
    leave();
    throw e;
  }
  if (isPromise(result)) return result.finally(leave) as R;
  leave();
  return result;
}

export { isPromise };
