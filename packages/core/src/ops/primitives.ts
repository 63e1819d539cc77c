/**
 * The primitives object: one typed function per op of the table, for code below the public
 * API (gradient rules, decompositions, the tape). `P.mul(a, b)`, `P.sum(x, { axes, keepDims })`:
 * tensor inputs first, the op's attrs object last. It imports nothing at run time; the engine
 * binds it to dispatch when it loads, so the op table depends on nothing above it.
 */
import type { Tensor, TensorLike } from "../tensor.js";
import type { OpDef } from "./def.js";
import type { Attrs, OpName } from "./table.js";

/** One primitive as a function: inputs, then attrs (optional when every attr is optional). */
export type PrimitiveFn<K extends OpName> = {} extends Attrs<K>
  ? (...args: TensorLike[] | [...inputs: TensorLike[], attrs: Attrs<K>]) => Tensor
  : (...args: [...inputs: TensorLike[], attrs: Attrs<K>]) => Tensor;

/** What every primitives object has besides one function per op. */
interface PrimitiveExtras {
  /** Run op `name` and return all its outputs. */
  run<K extends OpName>(name: K, inputs: readonly TensorLike[], attrs: Attrs<K>): Tensor[];
  /** Run `fn` without recording on any tape (for piecewise-constant masks inside gradient rules). */
  withoutRecording<R>(fn: () => R): R;
}

/** Every primitive by name, typed from the op table: names and attrs are checked at compile time. */
export type Primitives = { readonly [K in OpName]: PrimitiveFn<K> } & PrimitiveExtras;

/**
 * The primitives as the op table's own records see them. While TypeScript infers the table's
 * type it cannot also type calls by that table, so inside ops/ names and attrs are checked at
 * run time (dispatch names the op and the attr it rejects); everywhere else use `primitives`.
 */
export type TablePrimitives = { readonly [name: string]: (...args: any[]) => Tensor } & {
  run(name: string, inputs: readonly TensorLike[], attrs: object): Tensor[];
  withoutRecording<R>(fn: () => R): R;
};

/** What the engine provides when it binds the primitives. */
export interface PrimitiveBinding {
  readonly table: Readonly<Record<string, OpDef<any>>>;
  run(name: string, inputs: readonly TensorLike[], attrs: unknown): Tensor[];
  withoutRecording<R>(fn: () => R): R;
}

const EMPTY = Object.freeze({});

/** The primitives for gradient rules and decompositions inside ops/ (see `TablePrimitives`). */
export const P = {} as TablePrimitives;

/** The primitives typed from the op table, for code above it: `primitives.sum(x, { axes: [0], keepDims: false })`. */
export const primitives = P as unknown as Primitives;

/** @internal Called once by the engine: fill `P` from the op table. */
export function bindPrimitives(binding: PrimitiveBinding): void {
  const target = P as unknown as Record<string, unknown>;
  for (const [name, def] of Object.entries(binding.table)) {
    const arity = def.arity;
    target[name] = (...args: unknown[]): Tensor => {
      // Fixed-arity ops: an argument past the inputs is the attrs; variadic ops (concat) always end with attrs.
      const hasAttrs = arity < 0 || args.length > arity;
      const attrs = hasAttrs ? args[args.length - 1] : EMPTY;
      const inputs = (hasAttrs ? args.slice(0, -1) : args) as TensorLike[];
      return binding.run(name, inputs, attrs)[0]!;
    };
  }
  target["run"] = (name: string, inputs: readonly TensorLike[], attrs: unknown) => binding.run(name, inputs, attrs);
  target["withoutRecording"] = <R>(fn: () => R): R => binding.withoutRecording(fn);
}
