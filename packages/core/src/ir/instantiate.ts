/**
 * Elementwise op definitions as IR: the `expr` field of an op record is a function of the
 * input nodes and the attrs (numeric attrs as `attr` nodes, read at run time; others, such as
 * cast's dtype, as their values). `instantiate` makes the expression for given input dtypes;
 * `referenceKernel` runs it in JavaScript (float64 arithmetic) as the op's reference kernel.
 */
import { attr, input } from "./builder.js";
import { attrNames, IrTypeError, type Expr, type IrDType } from "./expr.js";
import { compileJs, type ScalarFn } from "./js.js";
import type { RefTensor } from "../ops/def.js";
import { mapBinary, mapTernary, mapUnary } from "../ops/ref-util.js";

/** The attrs an expression builder sees: numbers become `attr` nodes; other values stay. */
export type IrAttrs<A> = { readonly [K in keyof A]: A[K] extends number ? Expr : A[K] };

/** An elementwise op's definition: its output as one expression over its inputs. */
export type ElementwiseExpr<A = Record<string, never>> = (inputs: readonly Expr[], attrs: IrAttrs<A>) => Expr;

/**
 * The expression of `def` for inputs of `dtypes`; `statics` gives the non-numeric attrs
 * (e.g. `{ dtype: "int32" }` for cast). Numeric attrs stay `attr` nodes (see `attrNames`).
 * @example instantiate(opTable.relu.expr!, ["float32"]) // max(x0, 0)
 */
export function instantiate<A>(def: ElementwiseExpr<A>, dtypes: readonly IrDType[], statics: Readonly<Record<string, unknown>> = {}): Expr {
  const attrs = new Proxy(
    {},
    {
      get: (_, key) => {
        if (typeof key !== "string") return undefined;
        const v = statics[key];
        return v === undefined || typeof v === "number" ? attr(key) : v;
      },
    },
  ) as IrAttrs<A>;
  return def(
    dtypes.map((d, k) => input(k, d)),
    attrs,
  );
}

/** The non-numeric attrs of a call (they select the expression, so they key its cache). */
function staticAttrs(attrs: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v !== "number") out[k] = v;
  return out;
}

/** The reference kernel of an elementwise op: its expression compiled to JavaScript per input dtypes and static attrs. */
export function referenceKernel<A>(def: ElementwiseExpr<A>): (inputs: readonly RefTensor[], outputs: readonly RefTensor[], attrs: A) => void {
  const cache = new Map<string, ScalarFn>();
  return (inputs, [y], attrs) => {
    const statics = staticAttrs(attrs as object);
    const key = `${inputs.map((t) => t.dtype).join(",")}|${JSON.stringify(statics)}`;
    let f = cache.get(key);
    if (f === undefined) {
      const e = instantiate(def, inputs.map((t) => t.dtype), statics);
      f = compileJs(e, inputs.length);
      cache.set(key, f);
    }
    const fn = f;
    const A = attrs as unknown as Record<string, number>;
    if (inputs.length === 1) mapUnary(inputs[0]!, y!, (v) => fn(v, A));
    else if (inputs.length === 2) mapBinary(inputs[0]!, inputs[1]!, y!, (a, b) => fn(a, b, A));
    else mapTernary(inputs[0]!, inputs[1]!, inputs[2]!, y!, (a, b, c) => fn(a, b, c, A));
  };
}

/** A float64 scalar function of the expression (for plain-JavaScript kernels that map numbers). */
export function scalarFunction<A>(def: ElementwiseExpr<A>, arity: number): (...x: number[]) => number {
  let e: Expr;
  try {
    e = instantiate(def, new Array<IrDType>(arity).fill("float64"));
  } catch (err) {
    if (!(err instanceof IrTypeError)) throw err;
    e = instantiate(def, new Array<IrDType>(arity).fill("bool")); // logical ops take bool only
  }
  const f = compileJs(e, arity);
  return arity === 1 ? (a) => f(a, {}) : (a, b) => f(a, b, {});
}

export { attrNames };
