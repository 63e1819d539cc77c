/**
 * `compile(fn)`: trace `fn` on symbolic tensors once per input signature, run the passes,
 * cache the program and replay it on later calls. Called under a recording tape, a compiled
 * function is one tape entry whose backward is itself a compiled function.
 */
import { InvalidArgumentError } from "../errors.js";
import { currentFrame, withFrame } from "../engine/context.js";
import { engine } from "../engine/engine.js";
import { Tape, recordCustom } from "../engine/tape.js";
import { differentiable, runOp } from "../engine/dispatch.js";
import { Tensor, Variable } from "../tensor.js";
import { TraceBuilder } from "./builder.js";
import { Program } from "./program.js";
import { explainRetrace, flattenArgs, substituteTensors, type TensorSignature } from "./signature.js";

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * The expected signature of each tensor argument, in order of appearance (nested arrays and
   * objects flattened). `null` in a shape marks a dimension that may vary between calls.
   */
  readonly inputSignature?: readonly (TensorSignature | null)[];
  /** How many traces are expected; one more warns once, naming what changed (default 5). */
  readonly maxTraces?: number;
  /** A name for messages (default: the function's name). */
  readonly name?: string;
}

/** What a compiled function returns: what `fn` returned, with tensors from the program. */
export type CompiledFunction<F extends (...args: any[]) => any> = F & {
  /** How many times `fn` has been traced. */
  readonly traceCount: number;
  /** The program for these arguments (traced now if needed). */
  concrete(...args: Parameters<F>): Program;
  /** Free every cached program's constants. */
  dispose(): void;
  /** The function that was compiled (what export and debugging tools trace). */
  readonly source: F;
  /** The options it was compiled with. */
  readonly options: CompileOptions;
};

type Structure = { kind: "tensor"; index: number } | { kind: "array"; items: Structure[] } | { kind: "object"; entries: [string, Structure][] } | { kind: "value"; value: unknown };

function flattenResult(x: unknown, outs: Tensor[], depth = 0): Structure {
  if (x instanceof Tensor) {
    outs.push(x);
    return { kind: "tensor", index: outs.length - 1 };
  }
  if (depth < 4 && Array.isArray(x)) return { kind: "array", items: x.map((v) => flattenResult(v, outs, depth + 1)) };
  if (depth < 4 && x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return { kind: "object", entries: Object.entries(x as object).map(([k, v]) => [k, flattenResult(v, outs, depth + 1)]) };
  if (x === undefined || x === null || typeof x === "number" || typeof x === "string" || typeof x === "boolean") return { kind: "value", value: x };
  throw new InvalidArgumentError(`compile: the function returned ${typeof x === "object" ? (x.constructor?.name ?? "an object") : typeof x}; return tensors, or arrays and plain objects of them`);
}

function rebuild(s: Structure, outs: readonly Tensor[]): unknown {
  switch (s.kind) {
    case "tensor":
      return outs[s.index];
    case "array":
      return s.items.map((i) => rebuild(i, outs));
    case "object":
      return Object.fromEntries(s.entries.map(([k, v]) => [k, rebuild(v, outs)]));
    default:
      return s.value;
  }
}

interface Entry {
  readonly program: Program;
  readonly structure: Structure;
  readonly parts: string[];
  /** The program bakes in the size of a `null` dimension: it serves only the traced shapes. */
  readonly specialized: boolean;
}

/** Whether a trace made under `null` dimensions depends on the sizes it saw. */
function bakesSizes(b: TraceBuilder, sizes: ReadonlySet<number>): boolean {
  if (sizes.size === 0) return false;
  const walk = (x: unknown, depth: number): boolean => {
    if (Array.isArray(x)) return x.some((v) => (typeof v === "number" ? sizes.has(v) : walk(v, depth + 1)));
    if (x !== null && typeof x === "object" && depth < 4) return Object.values(x).some((v) => walk(v, depth + 1));
    return false;
  };
  for (const n of b.nodes) if (walk(n.attrs, 0)) return true;
  for (const t of b.constants.values()) if (t.shape.some((d) => sizes.has(d))) return true;
  return false;
}

/**
 * Compile `fn`: the returned function has the same signature; each new input signature (dtype
 * and shape per tensor argument, the value of every other argument) traces `fn` on symbolic
 * tensors once, and later calls replay the cached program. Variables are read and assigned by
 * reference; a host `if` on a tensor value throws (use `cond`/`whileLoop`).
 * @example const step = compile((x) => relu(matmul(x, w)).sum()); step(x); step.traceCount // 1
 */
export function compile<F extends (...args: any[]) => any>(fn: F, options: CompileOptions = {}): CompiledFunction<F> {
  if (typeof fn !== "function") throw new InvalidArgumentError(`compile: expected a function, got ${typeof fn}`);
  const name = options.name ?? (fn.name || "anonymous");
  const maxTraces = options.maxTraces ?? 5;
  const cache = new Map<string, Entry>();
  let traceCount = 0;
  let warned = false;
  let lastParts: string[] | null = null;
  let backward: CompiledFunction<(...a: any[]) => any> | null = null;

  const trace = (args: readonly unknown[], tensors: readonly Tensor[], parts: string[], relaxed: boolean): Entry => {
    const started = performance.now();
    const b = new TraceBuilder();
    const placeholders = tensors.map((t, i) => b.arg(t.shape, t.dtype, `arg${i}`));
    const prev = engine.compiling;
    engine.compiling = b;
    let result: unknown;
    try {
      result = withFrame({ tapes: [], pauseRecording: false }, () => fn(...substituteTensors(args, placeholders)));
    } catch (e) {
      b.releaseConstants();
      throw e;
    } finally {
      engine.compiling = prev;
    }
    const outs: Tensor[] = [];
    const structure = flattenResult(result, outs);
    const outputIds = outs.map((t) => b.idOf(t));
    const sizes = new Set<number>();
    let small = false;
    if (relaxed && options.inputSignature)
      tensors.forEach((t, i) =>
        options.inputSignature![i]?.shape.forEach((d, k) => {
          if (d !== null) return;
          if (t.shape[k]! > 1) sizes.add(t.shape[k]!);
          else small = true;
        }),
      );
    // A null dimension traced at size 0 or 1 cannot be told apart from the trace's other 0s and
    // 1s, so that program serves only the sizes it saw.
    const specialized = small || bakesSizes(b, sizes);
    const program = new Program(b, outputIds, tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })));
    program.compileSeconds = (performance.now() - started) / 1000;
    traceCount++;
    if (traceCount > maxTraces && !warned && lastParts) {
      warned = true;
      console.warn(explainRetrace(name, lastParts, parts, traceCount, maxTraces));
    }
    lastParts = parts;
    return { program, structure, parts, specialized };
  };

  const lookup = (args: readonly unknown[]): { entry: Entry; tensors: Tensor[] } => {
    const { tensors, parts } = flattenArgs(args, options.inputSignature);
    const key = parts.join(" | ");
    let entry = cache.get(key);
    if (entry?.specialized) {
      const exact = flattenArgs(args);
      const exactKey = `exact: ${exact.parts.join(" | ")}`;
      entry = cache.get(exactKey);
      if (!entry) {
        // Try a general trace again (the first may have seen a size of 1); keep it for every size if it is.
        entry = trace(args, tensors, parts, options.inputSignature !== undefined);
        cache.set(exactKey, entry);
        if (!entry.specialized) cache.set(key, entry);
      }
    } else if (!entry) {
      entry = trace(args, tensors, parts, options.inputSignature !== undefined);
      if (entry.specialized) {
        cache.set(key, entry);
        cache.set(`exact: ${flattenArgs(args).parts.join(" | ")}`, entry);
      } else cache.set(key, entry);
    }
    return { entry, tensors };
  };

  const compiled = function (this: unknown, ...args: unknown[]): unknown {
    if (engine.compiling !== null || engine.compiledAsSource) return fn.apply(this, args); // inside another trace, or asked to run unfused: inline
    const frame = currentFrame();
    const recording = frame.tapes.length > 0 && !frame.pauseRecording;
    // The generator's state before the call (a trace may draw): the backward replays the same random draws.
    const random = recording ? { seed: engine.randomSeed, counter: engine.randomCounter } : null;
    const { entry, tensors } = lookup(args);
    const outs = recording ? withFrame({ pauseRecording: true }, () => entry.program.run(tensors)) : entry.program.run(tensors);
    if (random) {
      const vars = entry.program.variables.filter((v) => v.trainable && differentiable(v.dtype));
      const inputs = [...tensors, ...vars];
      const floatOuts = outs.filter((o) => differentiable(o.dtype));
      if (floatOuts.length > 0 && inputs.some((t) => differentiable(t.dtype)))
        recordCustom(`compiled ${name}`, (dys) => replayingDraws(random, () => gradientOf(args, outs, dys, vars)), inputs, outs);
    }
    return rebuild(entry.structure, outs);
  } as unknown as CompiledFunction<F>;

  /** Gradients of the outputs (seeded with `dys`) with respect to the tensor arguments and `vars`, by a compiled backward. */
  const gradientOf = (args: readonly unknown[], outs: readonly Tensor[], dys: readonly Tensor[], vars: readonly Variable[]): (Tensor | null)[] => {
    backward ??= compile(
      (fwdArgs: unknown[], seeds: Tensor[]) => {
        const tape = new Tape({ watchAccessedVariables: false });
        const { tensors } = flattenArgs(fwdArgs);
        tape.watch(...tensors, ...vars);
        const result = tape.run(() => fn(...fwdArgs));
        const ys: Tensor[] = [];
        flattenResult(result, ys);
        return tape.gradient(ys, [...tensors, ...vars], seeds).map((g, i) => g ?? zerosLikeSpec(i < tensors.length ? tensors[i]! : vars[i - tensors.length]!));
      },
      { name: `gradient of ${name}`, maxTraces },
    );
    return backward([...args], [...dys]) as Tensor[];
  };

  Object.defineProperty(compiled, "traceCount", { get: () => traceCount });
  Object.defineProperty(compiled, "name", { value: name });
  Object.defineProperty(compiled, "source", { value: fn });
  Object.defineProperty(compiled, "options", { value: options });
  (compiled as { concrete: unknown }).concrete = (...args: unknown[]) => lookup(args).entry.program;
  (compiled as { dispose: unknown }).dispose = () => {
    for (const e of new Set(cache.values())) e.program.dispose();
    cache.clear();
    backward?.dispose();
  };
  return compiled;
}

/** Run `fn` with the random generator set to `state`, then put the generator back as it was. */
function replayingDraws<R>(state: { seed: number; counter: number }, fn: () => R): R {
  const now = { seed: engine.randomSeed, counter: engine.randomCounter };
  engine.randomSeed = state.seed;
  engine.randomCounter = state.counter;
  try {
    return fn();
  } finally {
    engine.randomSeed = now.seed;
    engine.randomCounter = now.counter;
  }
}

function zerosLikeSpec(t: Tensor): Tensor {
  return runOp("zerosLike", [t], {})[0]!;
}

/** `compile` under the name jax users know. */
export const jit = compile;
