/**
 * Input signatures: how a call's arguments become a cache key (dtype and shape per tensor,
 * the value of every non-tensor), how an `inputSignature` relaxes dimensions with `null`, and
 * the sentence that explains why a new trace was needed.
 */
import type { DType } from "../dtype.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { Tensor, Variable } from "../tensor.js";

/** The expected dtype and shape of one tensor argument; `null` marks a dimension that varies. */
export interface TensorSignature {
  readonly shape: readonly (number | null)[];
  readonly dtype?: DType;
}

/** A call's arguments split into tensors (in order) and a key describing everything else. */
export interface Flattened {
  readonly tensors: Tensor[];
  /** Per argument: its signature text ("float32[32,784]", "0.5", "[float32[3], 'a']"). */
  readonly parts: string[];
}

function describeValue(x: unknown, tensors: Tensor[], sigOf: (t: Tensor, index: number) => string, depth: number): string {
  // A variable argument is passed by reference (the program reads and assigns it), keyed by identity.
  if (x instanceof Variable) return `variable "${x.name}" #${x.id}`;
  if (x instanceof Tensor) {
    const s = sigOf(x, tensors.length);
    tensors.push(x);
    return s;
  }
  if (x === null || x === undefined || typeof x === "number" || typeof x === "boolean") return String(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (depth < 4 && Array.isArray(x)) return `[${x.map((v) => describeValue(v, tensors, sigOf, depth + 1)).join(", ")}]`;
  if (depth < 4 && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return `{${Object.entries(x as object).map(([k, v]) => `${k}: ${describeValue(v, tensors, sigOf, depth + 1)}`).join(", ")}}`;
  throw new InvalidArgumentError(`compile: an argument of type ${typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x} cannot be part of a signature; pass tensors, numbers, strings, booleans, or arrays and plain objects of them`);
}

/** Split `args` into tensors and a per-argument signature; `signature` relaxes tensor shapes by position. */
export function flattenArgs(args: readonly unknown[], signature?: readonly (TensorSignature | null | undefined)[]): Flattened {
  const tensors: Tensor[] = [];
  const sigOf = (t: Tensor, index: number): string => {
    const sig = signature?.[index];
    if (!sig) return `${t.dtype}[${t.shape.join(",")}]`;
    if (sig.dtype && sig.dtype !== t.dtype) throw new InvalidArgumentError(`compile: tensor argument ${index} is ${t.describe()} but the inputSignature says ${sig.dtype}`);
    if (sig.shape.length !== t.rank || sig.shape.some((d, i) => d !== null && d !== t.shape[i]))
      throw new ShapeError(`compile: tensor argument ${index} has shape [${t.shape.join(",")}] but the inputSignature says [${sig.shape.map((d) => d ?? "null").join(",")}]`);
    return `${t.dtype}[${sig.shape.map((d) => d ?? "?").join(",")}]`;
  };
  const parts = args.map((a) => describeValue(a, tensors, sigOf, 0));
  return { tensors, parts };
}

/** Rebuild the argument list with `tensors` in place of the original tensors, in order. */
export function substituteTensors(args: readonly unknown[], tensors: readonly Tensor[]): unknown[] {
  let k = 0;
  const sub = (x: unknown, depth: number): unknown => {
    if (x instanceof Variable) return x;
    if (x instanceof Tensor) return tensors[k++];
    if (depth < 4 && Array.isArray(x)) return x.map((v) => sub(v, depth + 1));
    if (depth < 4 && x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
      return Object.fromEntries(Object.entries(x as object).map(([key, v]) => [key, sub(v, depth + 1)]));
    return x;
  };
  return args.map((a) => sub(a, 0));
}

/**
 * Why `next` needed a new trace after `prev`, and how to avoid it. `sizes`: the reason when the
 * signature is the same and a `null` dimension's new size needed the trace.
 */
export function explainRetrace(name: string, prev: readonly string[], next: readonly string[], traces: number, max: number, sizes?: string): string {
  if (sizes !== undefined)
    return `compile(${name}): traced ${traces} times, more than maxTraces (${max}); the last retrace happened because ${sizes}. Each such size is traced once; to avoid it, compute what depends on the size with tensor ops (e.g. a mask or tf.where instead of a host branch or Math.min on x.shape), or raise maxTraces.`;
  let i = 0;
  while (i < Math.max(prev.length, next.length) && prev[i] === next[i]) i++;
  const what = i < next.length || i < prev.length ? `argument ${i} changed from ${prev[i] ?? "(absent)"} to ${next[i] ?? "(absent)"}` : "the signature changed";
  const tensorChange = /^[a-z0-9]+\[/.test(next[i] ?? "") && /^[a-z0-9]+\[/.test(prev[i] ?? "");
  const fix = tensorChange
    ? `pass { inputSignature } with null for the dimensions that vary (e.g. { shape: [null, ...] }) so one trace serves every size`
    : `numbers, strings and booleans are part of the cache key: pass a value that changes per call as a tensor (or read it with hostValue)`;
  return `compile(${name}): traced ${traces} times, more than maxTraces (${max}); the last retrace happened because ${what}. To avoid retracing, ${fix}, or raise maxTraces.`;
}
