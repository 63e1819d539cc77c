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
import { readStorageSync } from "../engine/transfer.js";
import { freeze, generalize, PROBE_STEP, release, type Generalized, type Instance } from "./generalize.js";
import { explainRetrace, flattenArgs, substituteTensors, type TensorSignature } from "./signature.js";

/** Most sizes a shared trace remembers as checked; past it the oldest is forgotten (and checked again if it comes back). */
export const MAX_CHECKED_SIZES = 1024;

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
  /**
   * Positions of arguments (each a tensor) the caller gives up, as JAX's `donate_argnums`: an
   * elementwise kernel (fused, or one elementwise op) that reads one for the last time and makes a
   * value of its shape and dtype writes that value over it, in place (an accumulator
   * `acc = a * b + acc` moves a third less memory).
   * Every donated tensor is disposed by the call, whether its buffer was reused or not. Not while
   * a tape records (the backward needs the inputs: nothing is donated or disposed then).
   */
  readonly donate?: readonly number[];
}

/** What a compiled function returns: what `fn` returned, with tensors from the program. */
export type CompiledFunction<F extends (...args: any[]) => any> = F & {
  /**
   * How many times `fn` has been traced into a program: once per signature, and under `null`
   * dimensions once more per size (or combination of sizes) that the shared trace cannot serve.
   * Probe and check traces (`probeCount`, `checkCount`) make no program and are not counted.
   */
  readonly traceCount: number;
  /**
   * How many probe traces ran: a trace under `null` dimensions of one size is traced once more
   * at another size, to find whether the sizes it uses are linear in it.
   */
  readonly probeCount: number;
  /**
   * How many check traces ran: under `null` dimensions, the first call at each new size traces
   * `fn` at that size (without building a program) to check that the shared trace, rebuilt for
   * that size, is the same program; a size that fails is traced into its own program.
   */
  readonly checkCount: number;
  /**
   * The program for these arguments (traced now if needed). A shared trace remembers 1024
   * checked sizes; the program of a size forgotten past them is disposed.
   */
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

/** A trace under `null` dimensions that may serve other sizes: each new size is checked first. */
interface Shared {
  /** The first trace, rebuilt per size (its sizes linear in one size) or kept as it is. */
  readonly gen: Generalized;
  readonly outputIds: readonly number[];
  /** The `null` dimensions' sizes (joined by ",") of the first trace. */
  readonly firstKey: string;
  /** Sizes checked against a trace at those sizes, with the entry that serves them (the first's own when nothing varies). */
  readonly checked: Map<string, Entry>;
}

interface Entry {
  readonly program: Program;
  readonly structure: Structure;
  readonly parts: string[];
  /** The program bakes in the size of a `null` dimension: it serves only the traced shapes. */
  readonly specialized: boolean;
  /** The trace may serve other sizes of its `null` dimensions, each checked by a trace at that size. */
  readonly shared?: Shared;
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
  for (const t of b.constants.values()) {
    if (t.shape.some((d) => sizes.has(d))) return true;
    const s = t._storage;
    if (t.size === 1 && s !== null && s.backend.capabilities.syncRead && sizes.has(readStorageSync(s, "compile: reading a literal")[0] as number)) return true;
  }
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
  const donate = options.donate && options.donate.length > 0 ? options.donate : null;
  for (const i of donate ?? []) if (!Number.isInteger(i) || i < 0) throw new InvalidArgumentError(`compile "${name}": donate lists argument positions (integers >= 0), got ${String(i)}`);
  const cache = new Map<string, Entry>();
  let traceCount = 0;
  let warned = false;
  let lastParts: string[] | null = null;
  let backward: CompiledFunction<(...a: any[]) => any> | null = null;

  let probeCount = 0;
  let checkCount = 0;

  /** Trace `fn` on placeholders of `shapes` (the tensors' shapes, or others for a probe). */
  const record = (args: readonly unknown[], tensors: readonly Tensor[], shapes: readonly (readonly number[])[], b: TraceBuilder) => {
    const placeholders = tensors.map((t, i) => b.arg(shapes[i]!, t.dtype, `arg${i}`));
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
    return { structure, outputIds: outs.map((t) => b.idOf(t)) };
  };

  /**
   * Trace `fn` on placeholders of `shapes` only to compare (never run): without host effects or
   * random draws, the generator left as it was. Null when `fn` throws at these shapes; the
   * caller releases the builder's constants.
   */
  const traceAside = (args: readonly unknown[], tensors: readonly Tensor[], shapes: readonly (readonly number[])[]) => {
    const b = new TraceBuilder();
    b.probing = true;
    const random = { seed: engine.randomSeed, counter: engine.randomCounter, draws: engine.traceDraws };
    try {
      return { b, ...record(args, tensors, shapes, b) };
    } catch {
      return null;
    } finally {
      engine.randomSeed = random.seed;
      engine.randomCounter = random.counter;
      engine.traceDraws = random.draws;
    }
  };

  /** The sizes of the `null` dimensions of `tensors` (under the signature). */
  const nullSizes = (tensors: readonly Tensor[]): number[] => {
    const sizes: number[] = [];
    tensors.forEach((t, i) => options.inputSignature?.[i]?.shape.forEach((d, k) => d === null && sizes.push(t.shape[k]!)));
    return sizes;
  };

  /** "argument 0's dimension 0" (and the others) for the `null` dimensions, in messages. */
  const nullDims = (): string => {
    const dims: string[] = [];
    options.inputSignature?.forEach((sig, i) => sig?.shape.forEach((d, k) => d === null && dims.push(`argument ${i}'s dimension ${k}`)));
    return dims.length === 1 ? `the size of ${dims[0]}` : `the sizes of ${dims.join(", ")}`;
  };

  /** The one size shared by every `null` dimension, when there is one. */
  const oneSize = (tensors: readonly Tensor[]): number | null => {
    const sizes = nullSizes(tensors);
    return sizes.length > 0 && sizes.every((d) => d === sizes[0]) ? sizes[0]! : null;
  };

  /**
   * Trace `fn` again with every `null` dimension at `size + PROBE_STEP`, without host effects or
   * random draws, and compare with the first trace: how to rebuild it for any size, or null.
   */
  const probe = (args: readonly unknown[], tensors: readonly Tensor[], size: number, first: TraceBuilder, firstOuts: readonly number[], structure: Structure): Generalized | null | "unreadable" => {
    const shapes = tensors.map((t, i) => t.shape.map((d, k) => (options.inputSignature?.[i]?.shape[k] === null ? size + PROBE_STEP : d)));
    probeCount++;
    const r = traceAside(args, tensors, shapes);
    if (r === null) return null; // fn does not run at another size: it depends on this one
    try {
      if (JSON.stringify(r.structure) !== JSON.stringify(structure)) return null;
      return generalize(first, firstOuts, r.b, r.outputIds, size);
    } finally {
      r.b.releaseConstants();
    }
  };

  /** Trace `fn` into a program; `reason`: why a signature seen before is traced again (for the retrace warning). */
  const trace = (args: readonly unknown[], tensors: readonly Tensor[], parts: string[], relaxed: boolean, reason?: string): Entry => {
    const started = performance.now();
    const b = new TraceBuilder();
    const { structure, outputIds } = record(args, tensors, tensors.map((t) => t.shape), b);
    const all = relaxed ? nullSizes(tensors) : [];
    const sizes = new Set(all);
    // A null dimension traced at size 0 or 1 cannot be told apart from the trace's other 0s and
    // 1s, so that program serves only the sizes it saw. With one size above 1, a probe trace at
    // another size tells what depends on it (a literal computed from the size is invisible to
    // bakesSizes); sizes linear in it are recomputed per size. With sizes that differ, a trace
    // whose attributes name none of them is kept to serve others. Either way each new size is
    // checked by a trace at that size before the shared program serves it.
    const small = all.some((d) => d <= 1);
    let specialized = small || bakesSizes(b, sizes);
    let gen: Generalized | null = null;
    if (!small && sizes.size === 1) {
      const p = probe(args, tensors, all[0]!, b, outputIds, structure);
      // "unreadable" (constants on a device without synchronous reads): no later size could be checked either.
      specialized = p === null || p === "unreadable";
      if (!specialized) gen = p as Generalized;
    } else if (!specialized && sizes.size > 1) gen = freeze(b, outputIds);
    const program = new Program(b, outputIds, tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })), true, donate !== null);
    program.compileSeconds = (performance.now() - started) / 1000;
    traceCount++;
    if (traceCount > maxTraces && !warned && lastParts) {
      warned = true;
      console.warn(explainRetrace(name, lastParts, parts, traceCount, maxTraces, reason));
    }
    lastParts = parts;
    const firstKey = all.join(",");
    const entry: Entry = { program, structure, parts, specialized, shared: gen ? { gen, outputIds, firstKey, checked: new Map() } : undefined };
    entry.shared?.checked.set(firstKey, entry);
    return entry;
  };

  /** Remember that `e` serves the sizes `key` of `root`'s shared trace, forgetting the oldest past the bound. */
  const remember = (root: Entry, key: string, e: Entry): void => {
    const sh = root.shared!;
    if (sh.checked.size >= MAX_CHECKED_SIZES)
      for (const [k, old] of sh.checked) {
        if (k === sh.firstKey) continue;
        sh.checked.delete(k);
        if (old !== root) old.program.dispose();
        break;
      }
    sh.checked.set(key, e);
  };

  /**
   * Check `root`'s shared trace at the call's sizes: trace `fn` there (no program, no host
   * effects, no random draws) and compare with the shared trace rebuilt for them. The entry
   * that serves these sizes when they agree; "differs" when they do not; "unchecked" for sizes
   * that differ where the shared trace follows one size. Either way but the first, these sizes
   * need their own trace.
   */
  const check = (root: Entry, args: readonly unknown[], tensors: readonly Tensor[], key: string): Entry | "differs" | "unchecked" => {
    const sh = root.shared!;
    const size = oneSize(tensors);
    if (sh.gen.oneSize && size === null) return "unchecked";
    const started = performance.now();
    checkCount++;
    const r = traceAside(args, tensors, tensors.map((t) => t.shape));
    if (r === null) return "differs";
    let inst: Instance | null | "unreadable" = null;
    try {
      if (JSON.stringify(r.structure) !== JSON.stringify(root.structure)) return "differs";
      inst = sh.gen.check(r.b, r.outputIds, size);
    } finally {
      r.b.releaseConstants();
    }
    if (inst === null || inst === "unreadable") return "differs";
    let e = root;
    if (sh.gen.varies) {
      const shapes = inst.args.map((a) => ({ shape: a.shape, dtype: a.dtype }));
      const program = new Program(inst, sh.outputIds, shapes, false, donate !== null);
      program.compileSeconds = (performance.now() - started) / 1000;
      e = { program, structure: root.structure, parts: root.parts, specialized: false };
    } else release(inst);
    remember(root, key, e);
    return e;
  };

  const lookup = (args: readonly unknown[]): { entry: Entry; tensors: Tensor[] } => {
    const { tensors, parts } = flattenArgs(args, options.inputSignature);
    const key = parts.join(" | ");
    const relaxed = options.inputSignature !== undefined;
    const root = cache.get(key);
    if (!root) {
      const entry = trace(args, tensors, parts, relaxed);
      cache.set(key, entry);
      if (entry.specialized) cache.set(`exact: ${flattenArgs(args).parts.join(" | ")}`, entry);
      return { entry, tensors };
    }
    const sizesKey = root.shared ? nullSizes(tensors).join(",") : "";
    const served = root.shared?.checked.get(sizesKey);
    if (served) return { entry: served, tensors };
    if (!root.specialized && !root.shared) return { entry: root, tensors };
    const exactKey = `exact: ${flattenArgs(args).parts.join(" | ")}`;
    let entry = cache.get(exactKey);
    if (entry) return { entry, tensors };
    const checked = root.shared ? check(root, args, tensors, sizesKey) : "unchecked";
    if (typeof checked === "object") return { entry: checked, tensors };
    const sizes = nullSizes(tensors).join(", ");
    const reason =
      checked === "differs"
        ? `the function depends on ${nullDims()} in a way that is not linear: its trace at ${sizes} differs from the first trace (at ${root.shared!.firstKey.replaceAll(",", ", ")}) rebuilt for ${sizes}`
        : `${nullDims()} changed to ${sizes}, which the program traced at another size cannot serve (the function uses the size other than linearly or in a random draw or control flow, the first trace saw a size of 0 or 1, or the null dimensions' sizes now differ)`;
    // Try a general trace again (the first may have seen a size of 1); keep it for every size if it is.
    entry = trace(args, tensors, parts, relaxed && !root.shared, reason);
    cache.set(exactKey, entry);
    if (!entry.specialized && entry.shared && !root.shared) cache.set(key, entry);
    return { entry, tensors };
  };

  const compiled = function (this: unknown, ...args: unknown[]): unknown {
    if (engine.compiling !== null || engine.compiledAsSource) return fn.apply(this, args); // inside another trace, or asked to run unfused: inline
    const frame = currentFrame();
    const recording = frame.tapes.length > 0 && !frame.pauseRecording;
    // The generator's state before the call (a trace may draw): the backward replays the same random draws.
    const random = recording ? { seed: engine.randomSeed, counter: engine.randomCounter } : null;
    const { entry, tensors } = lookup(args);
    const donated = donate && !recording ? donatedTensors(args, tensors, donate, name) : null;
    const outs = recording
      ? withFrame({ pauseRecording: true }, () => entry.program.run(tensors))
      : donated
        ? runDonated(entry.program, tensors, donated)
        : entry.program.run(tensors);
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
  Object.defineProperty(compiled, "probeCount", { get: () => probeCount });
  Object.defineProperty(compiled, "checkCount", { get: () => checkCount });
  Object.defineProperty(compiled, "name", { value: name });
  Object.defineProperty(compiled, "source", { value: fn });
  Object.defineProperty(compiled, "options", { value: options });
  (compiled as { concrete: unknown }).concrete = (...args: unknown[]) => lookup(args).entry.program;
  (compiled as { dispose: unknown }).dispose = () => {
    for (const e of new Set(cache.values())) {
      e.program.dispose();
      for (const s of e.shared?.checked.values() ?? []) s.program.dispose();
      e.shared?.gen.dispose();
    }
    cache.clear();
    backward?.dispose();
  };
  return compiled;
}

/** The positions in `tensors` of the donated arguments (each must be a tensor that appears once among the arguments). */
function donatedTensors(args: readonly unknown[], tensors: readonly Tensor[], donate: readonly number[], name: string): Set<number> {
  const out = new Set<number>();
  for (const i of donate) {
    const a = args[i];
    if (!(a instanceof Tensor) || a instanceof Variable)
      throw new InvalidArgumentError(`compile "${name}": donated argument ${i} must be a tensor${a instanceof Variable ? " (a variable is updated with assign, not donated)" : `, got ${a === undefined ? "nothing" : typeof a}`}`);
    const k = tensors.indexOf(a);
    if (tensors.lastIndexOf(a) !== k) throw new InvalidArgumentError(`compile "${name}": donated argument ${i} is also passed as another argument; pass a copy`);
    out.add(k);
  }
  return out;
}

/** Run with the donated tensors given up, then dispose them (their buffers may now hold outputs, which keep them alive). */
function runDonated(program: Program, tensors: readonly Tensor[], donated: ReadonlySet<number>): Tensor[] {
  try {
    return program.runDonating(tensors, donated);
  } finally {
    for (const k of donated) tensors[k]!.dispose();
  }
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
