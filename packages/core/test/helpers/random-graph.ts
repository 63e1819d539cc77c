/**
 * Random elementwise graphs for property tests of fusion: a few inputs whose shapes broadcast
 * to one output shape, with mixed dtypes (float32, int32, bool), and a chain/tree of unary,
 * binary, comparison and select ops over them; often a head op (matmul, sum or max over float32
 * inputs of its own) whose value the ops read, so its tail may fuse into it. Inputs are often cut
 * from their arguments by a slice, reshape or broadcast (views a compiled kernel may read in
 * place). `build` turns a description into a function.
 */
import fc from "fast-check";
import * as tf from "@eager/core";

/**
 * One generated graph: input shapes and dtypes, an optional head op, and the ops (each reads
 * earlier values by index: the inputs, then the head's value, then the ops' values). The head's
 * own inputs (float32) come after `inputs` among the function's arguments.
 */
export interface RandomGraph {
  readonly out: number[];
  /** `view`: how the function gets the input from its argument (a slice of a larger value, a reshape, a broadcast), so compiled kernels may read it in place. */
  readonly inputs: { shape: number[]; dtype: "float32" | "int32" | "bool"; view?: InputView }[];
  readonly head: { op: "matmul" | "sum" | "max"; inputs: number[][] } | null;
  readonly ops: { op: string; args: number[] }[];
}

/**
 * How an input is cut from its argument: "slice" takes `shape` from a larger argument (offset
 * by `bits`, every second element along some axes), "reshape" drops a leading axis of 1,
 * "broadcast" broadcasts the argument to the output shape; "none" passes it as it is.
 */
export interface InputView {
  readonly kind: "none" | "slice" | "reshape" | "broadcast";
  readonly bits: number;
}

/** The slice of an input: begin, step and the argument's shape, from the view's bits (two bits per axis). */
function sliceOf(shape: readonly number[], bits: number): { begin: number[]; step: number[]; source: number[] } {
  const begin = shape.map((_, d) => (bits >> (3 * d)) & 1);
  const step = shape.map((_, d) => ((bits >> (3 * d + 1)) & 1) + 1);
  const source = shape.map((n, d) => begin[d]! + (n - 1) * step[d]! + 1 + ((bits >> (3 * d + 2)) & 1));
  return { begin, step, source };
}

/** The argument's shape for an input. */
function argShape(x: RandomGraph["inputs"][number]): number[] {
  const v = x.view?.kind ?? "none";
  return v === "slice" ? sliceOf(x.shape, x.view!.bits).source : v === "reshape" ? [1, ...x.shape] : x.shape;
}

/** The input from its argument, as `build` cuts it. */
function cut(t: tf.Tensor, x: RandomGraph["inputs"][number], out: readonly number[]): tf.Tensor {
  const v = x.view?.kind ?? "none";
  if (v === "slice") {
    const { begin, step } = sliceOf(x.shape, x.view!.bits);
    return tf.stridedSlice(t, begin, begin.map((b, d) => b + (x.shape[d]! - 1) * step[d]! + 1), step);
  }
  if (v === "reshape") return tf.reshape(t, x.shape);
  if (v === "broadcast") return tf.broadcastTo(t, out);
  return t;
}

const UNARY = ["neg", "abs", "exp", "tanh", "sin", "sigmoid", "relu", "square", "floor"] as const;
const BINARY = ["add", "sub", "mul", "maximum", "minimum"] as const;

/** Shapes that broadcast to `out`: a suffix of it with some dims set to 1. */
const broadcastShape = (out: number[]) =>
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) =>
    out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
  );

/** A head op making a float32 value of shape `out` from inputs of its own, or null. */
const headFor = (out: number[]): fc.Arbitrary<RandomGraph["head"]> =>
  fc.tuple(fc.constantFrom("none" as const, "matmul" as const, "sum" as const, "max" as const), fc.integer({ min: 1, max: 6 }), fc.boolean()).map(([op, k, batchA]) => {
    if (op === "none" || (op === "matmul" && out.length < 2)) return null;
    if (op !== "matmul") return { op, inputs: [[...out, k]] };
    const [m, n] = out.slice(-2) as [number, number];
    // Batch dimensions on a (broadcast against a plain b) or on b (against a plain a).
    const batch = out.slice(0, -2);
    return { op, inputs: batchA ? [[...batch, m, k], [k, n]] : [[m, k], [...batch, k, n]] };
  });

/** An arbitrary random elementwise graph, often with a head op. */
export const randomGraph: fc.Arbitrary<RandomGraph> = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 })
  .chain((out) =>
    fc
      .tuple(
        fc.array(
          fc.record({
            shape: broadcastShape(out),
            dtype: fc.constantFrom("float32" as const, "float32" as const, "int32" as const, "bool" as const),
            view: fc.record({ kind: fc.constantFrom("none" as const, "none" as const, "slice" as const, "slice" as const, "reshape" as const, "broadcast" as const), bits: fc.nat(1 << 12) }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        headFor(out),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
      )
      .map(([inputs, head, raw]) => {
        const ops: { op: string; args: number[] }[] = [];
        const values = inputs.length + (head ? 1 : 0);
        raw.forEach(([kind, a, b, c], i) => {
          const n = values + i;
          // The first op reads the head's value (as its first argument), so a tail starts there.
          const pick = (x: number, first = false) => (head && i === 0 && first ? inputs.length : x % n);
          if (kind < 40) ops.push({ op: UNARY[kind % UNARY.length]!, args: [pick(a, true)] });
          else if (kind < 85) ops.push({ op: BINARY[kind % BINARY.length]!, args: [pick(a, true), pick(b)] });
          else if (kind < 93) ops.push({ op: "greater", args: [pick(a, true), pick(b)] });
          else ops.push({ op: "where", args: [pick(a), pick(b, true), pick(c)] });
        });
        // Make the output use the shape of every input: add everything at the end.
        return { out, inputs: inputs.map((x) => ({ shape: x.shape, dtype: x.dtype, view: x.view })), head, ops };
      }),
  );

/** The graph as a function of its arguments (each input cut from its argument): the last value, plus the sum of every input (so all shapes meet). */
export function build(g: RandomGraph): (...args: tf.Tensor[]) => tf.Tensor {
  return (...args) => {
    const xs = args.slice(0, g.inputs.length).map((t, i) => cut(t, g.inputs[i]!, g.out));
    const vals: tf.Tensor[] = [...xs];
    if (g.head) {
      const [a, b] = args.slice(g.inputs.length);
      const last = g.head.inputs[0]!.length - 1;
      vals.push(g.head.op === "matmul" ? tf.matMul(a!, b!) : g.head.op === "sum" ? tf.sum(a!, last) : tf.max(a!, last));
    }
    for (const { op, args } of g.ops) {
      const v = args.map((i) => vals[i]!);
      let y: tf.Tensor;
      if (op === "where") y = tf.where(tf.cast(v[0]!, "bool"), tf.cast(v[1]!, "float32"), tf.cast(v[2]!, "float32"));
      else if (op === "greater") y = tf.greater(v[0]!, v[1]!);
      else if ((UNARY as readonly string[]).includes(op)) {
        const x = ["exp", "tanh", "sin", "sigmoid"].includes(op) ? tf.cast(v[0]!, "float32") : v[0]!.dtype === "bool" ? tf.cast(v[0]!, "int32") : v[0]!;
        y = (tf as unknown as Record<string, (t: tf.Tensor) => tf.Tensor>)[op]!(op === "exp" ? tf.tanh(x) : x);
      } else y = (tf as unknown as Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>)[op]!(v[0]!, v[1]!);
      vals.push(y);
    }
    let out = vals[vals.length - 1]!;
    for (const x of xs) out = tf.add(out, x.dtype === "bool" ? tf.cast(x, "int32") : x);
    return out;
  };
}

/** Input values for a graph, the head's inputs last (small integers and fractions; bools). */
export function inputsFor(g: RandomGraph, seed: number): tf.Tensor[] {
  const all = [...g.inputs.map((x) => ({ shape: argShape(x), dtype: x.dtype })), ...(g.head?.inputs ?? []).map((shape) => ({ shape, dtype: "float32" as const }))];
  return all.map((x, i) => {
    const n = x.shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, (_, k) => {
      const h = Math.sin((seed + 1) * 12.9898 + (i + 1) * 78.233 + k * 37.719) * 43758.5453;
      const r = h - Math.floor(h);
      return x.dtype === "bool" ? r > 0.5 : x.dtype === "int32" ? Math.floor(r * 9) - 4 : Math.round((r * 6 - 3) * 8) / 8;
    });
    return tf.tensor(vals, x.shape, x.dtype);
  });
}

/** Assert two tensors agree: same dtype and shape, values within `tol` relative (NaN equal to NaN). */
export function agree(a: tf.Tensor, b: tf.Tensor, tol: number): string | null {
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} vs ${b.dtype}`;
  if (a.shape.join() !== b.shape.join()) return `shape ${a.shape} vs ${b.shape}`;
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (Number.isNaN(p) && Number.isNaN(q)) continue;
    if (!(Math.abs(p - q) <= tol * Math.max(1, Math.abs(q)))) return `element ${i}: ${p} vs ${q}`;
  }
  return null;
}
