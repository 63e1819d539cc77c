/**
 * The shape of one op-table record. Every primitive op is declared once as an `OpDef`:
 * its shape and dtype rule, its reference kernel, what backward saves and its gradient
 * written in public tensor ops. Backends, the tape, the tracer and the tests all read it.
 */
import type { DType, TypedArray } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import type { ElementwiseExpr } from "../ir/instantiate.js";

/** The algebraic family an op belongs to; backends generate kernels per family. */
export type OpFamily = "unary" | "binary" | "ternary" | "reduce" | "scan" | "movement" | "index" | "linalg" | "conv" | "cast";

/** Shape and dtype of a tensor, without data. */
export interface TensorSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * What a kernel sees of one tensor: the backend's buffer plus shape and dtype. Buffers are
 * dense and row-major; core allocates outputs before the kernel runs.
 */
export interface KernelTensor<B = unknown> {
  readonly data: B;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /**
   * Set only on an input of a fused kernel (`Backend.fusedElementwise`, `fusedEpilogue`'s extras)
   * of a backend whose capabilities declare `fusedViews`: the element strides of `shape`'s axes
   * in `data` (any integers, 0 allowed). Absent: the row-major strides of `shape`.
   */
  readonly strides?: readonly number[];
  /** With `strides`: the element offset in `data` of the view's first element (absent: 0). */
  readonly offset?: number;
}

/** A reference kernel's view: plain typed arrays. */
export type RefTensor = KernelTensor<TypedArray>;

/**
 * One op call as dispatch resolved it, once: the record, the kernel views of the inputs (on
 * the chosen device) and of the outputs (allocated by core), the attrs, the device and the
 * op's plan (what `OpDef.plan` derived from the shapes and attrs, e.g. a convolution's
 * `WindowGeometry`; undefined for ops without one). Kernels receive it as their last argument.
 */
export interface ResolvedOp<A = unknown, B = unknown> {
  readonly def: OpDef<A>;
  readonly inputs: readonly KernelTensor<B>[];
  readonly outputs: readonly KernelTensor<B>[];
  readonly attrs: A;
  readonly device: string;
  readonly plan: unknown;
}

/** What a gradient rule receives besides the output gradients. */
export interface GradContext<A> {
  /** The op's inputs (only when the op declares `saves.inputs`; otherwise empty). */
  readonly inputs: readonly Tensor[];
  /** The op's outputs (only when the op declares `saves.outputs`; otherwise empty). */
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  /** Shapes and dtypes of the inputs, always available. */
  readonly inputSpecs: readonly TensorSpec[];
}

/**
 * A gradient rule: output gradients in, one gradient (or null) per input out. Gradients may
 * have the broadcast output shape; the tape sums them back to each input's shape.
 */
export type Vjp<A> = (dys: readonly Tensor[], ctx: GradContext<A>) => readonly (Tensor | null)[];

/** Hints for generated tests (conformance and gradient checks). */
export interface OpTestSpec<A> {
  /** Range for random float inputs (default [-2, 2]). Per input if an array of ranges. */
  readonly domain?: readonly [number, number] | readonly (readonly [number, number])[];
  /** Example calls: input shapes (and optionally dtypes) plus attrs. */
  readonly cases: readonly OpTestCase<A>[];
  /** Skip the finite-difference check, with the reason (e.g. piecewise-constant output). */
  readonly noGradCheck?: string;
  /** Skip only the second-order check, with the reason. */
  readonly noSecondOrder?: string;
  /** Absolute tolerance for comparing a float32 backend with the float64 reference (default by dtype). */
  readonly tolerance?: number;
  /** Inputs given as integers in [lo, hi) (e.g. indices), by input position. */
  readonly intInputs?: Readonly<Record<number, readonly [number, number]>>;
}

export interface OpTestCase<A> {
  readonly shapes: readonly (readonly number[])[];
  readonly dtypes?: readonly DType[];
  readonly attrs: A;
}

/** One op-table record. */
export interface OpDef<A> {
  readonly name: string;
  readonly family: OpFamily;
  /** Number of tensor inputs; -1 for variadic (concat). */
  readonly arity: number;
  /** Input dtypes accepted (default: all). Checked before promotion is applied. */
  readonly inputDTypes?: readonly DType[];
  /**
   * Inputs are cast before the kernel runs: "common" to their common dtype (bool < int32 <
   * float32 < float64), "arith" to that but at least int32, "float" to at least float32.
   */
  readonly promote?: "common" | "arith" | "float";
  /**
   * Shape and dtype rule. Throws a named error naming the op and the argument. `plan` is
   * `plan(inputs, attrs)` when the op has one (dispatch derives it first, once); called
   * without it, a rule derives what it needs itself.
   */
  infer(inputs: readonly TensorSpec[], attrs: A, plan?: unknown): TensorSpec[];
  /** The reference kernel: the executable definition of the op (`op.plan` is `plan`'s result). */
  ref(inputs: readonly RefTensor[], outputs: readonly RefTensor[], attrs: A, op?: ResolvedOp<A, TypedArray>): void;
  /**
   * What every kernel of this op would otherwise derive from the shapes and attrs (e.g. a
   * convolution's window geometry), computed once per call by dispatch into `ResolvedOp.plan`.
   */
  plan?(inputs: readonly TensorSpec[], attrs: A): unknown;
  /** What the gradient rule reads besides dy. */
  readonly saves: { readonly inputs?: boolean; readonly outputs?: boolean };
  /** The gradient, or "none" for ops that have none (a gradient reaching it is an error). */
  readonly vjp: Vjp<A> | "none";
  /** For unary/binary elementwise ops: the scalar function the reference kernel maps. */
  readonly scalar?: (...x: number[]) => number;
  /**
   * For elementwise ops: the op as one scalar IR expression over its (promoted) inputs, the one
   * definition of its math. The reference kernel runs it; backends lower it (see `ir`).
   */
  readonly expr?: ElementwiseExpr<any>; // (not ElementwiseExpr<A>: that makes the table's type circular)
  readonly test: OpTestSpec<A>;
  /**
   * For optional ops: the outputs computed from other ops (ultimately required ones). Dispatch
   * runs it on the chosen device when that backend has no kernel for the op; see `optional`.
   * Required ops have none.
   */
  readonly decompose?: Decomposition<A>;
  /** Absolute error bound of `decompose` against `ref` in float64 (default: exact up to rounding). */
  readonly decomposeAtol?: number;
}

/**
 * An optional op's decomposition: `inputs` are the op's (promoted) inputs on the device that
 * runs it, `outputs` the specs `infer` gave. It calls ops through the public path (so each
 * runs on the same device, with no synchronous read and no data movement) and returns new
 * tensors with exactly those shapes and dtypes. Recording is paused while it runs: the tape
 * records the optional op itself and differentiates it with the op's own `vjp`.
 */
export type Decomposition<A> = (inputs: readonly Tensor[], attrs: A, outputs: readonly TensorSpec[]) => Tensor[];

/** A record that carries a decomposition: an optional op. */
export type OptionalOpDef<A> = OpDef<A> & { readonly decompose: Decomposition<A> };

/** Declare an op record with its attrs type (identity at run time). */
export function defineOp<A = Record<string, never>>(def: OpDef<A>): OpDef<A> {
  return def;
}

/**
 * Make a record optional by giving it a decomposition in other ops. Backends may still
 * register a fast kernel for it; conformance checks that kernel against the decomposition.
 * `atol` bounds the decomposition's absolute error where it approximates (erf, gelu).
 * @example softsign: optional(unary("softsign", f, vjp, o), ([x]) => [div(x!, add(abs(x!), 1))])
 * The result keeps the record's own type `R` (a unary record stays typed as one).
 */
export function optional<A, R = unknown>(def: OpDef<A> & R, decompose: Decomposition<A>, o: { readonly atol?: number } = {}): OptionalOpDef<A> & R {
  return { ...def, decompose, decomposeAtol: o.atol };
}
