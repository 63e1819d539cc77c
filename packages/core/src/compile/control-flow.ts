/**
 * `cond` and `whileLoop`: plain host control flow when run eagerly (the predicate is read on the
 * host, and a tape records the ops that ran), graph nodes holding traced sub-programs under
 * `compile` (the program reads the predicate at run time, so one trace serves every outcome).
 */
import { InvalidArgumentError, NonDifferentiableError, ShapeError } from "../errors.js";
import type { TensorSpec } from "../ops/def.js";
import { shapeStr, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { recordCustom } from "../engine/tape.js";
import { differentiable, runOp } from "../engine/dispatch.js";
import { activeBuilder } from "./builder.js";
import {
  ControlFlowAttrs,
  controlFlowDef,
  flattenTree,
  gradientSource,
  ownHandle,
  readPredicate,
  rebuildTree,
  tapeRecording,
  traceBody,
  treeKey,
  unionCaptures,
  vjpOf,
  type TracedBody,
} from "./control-flow-trace.js";
import { scan } from "./control-flow-scan.js";
import { canReadPredicate, maskedLoop, predicateMask, selectEach, unboundedLoopError } from "./control-flow-masked.js";
import { engine } from "../engine/engine.js";

/** Check that two bodies return the same structure, shapes and dtypes. */
export function sameOutputs(a: TracedBody, b: TracedBody, what: string, names: [string, string]): void {
  if (treeKey(a.structure) !== treeKey(b.structure))
    throw new InvalidArgumentError(`${what}: ${names[0]} returned ${treeKey(a.structure)} but ${names[1]} returned ${treeKey(b.structure)}; both must return the same structure (T = tensor)`);
  a.outSpecs.forEach((s, i) => {
    const o = b.outSpecs[i]!;
    if (s.dtype !== o.dtype || !shapesEqual(s.shape, o.shape))
      throw new ShapeError(`${what}: output ${i} is ${s.dtype}${shapeStr(s.shape)} in ${names[0]} but ${o.dtype}${shapeStr(o.shape)} in ${names[1]}; under compile both must match`);
  });
}

/**
 * Run `thenFn` when `pred` is true (nonzero), else `elseFn`, and return what it returns.
 * Eagerly the predicate is read on the host and only the taken branch runs (a tape records its
 * ops). Inside `compile` both branches are traced once into a node that reads the predicate at
 * each run, so the same compiled program serves both outcomes; both branches must then return
 * the same structure of tensors with equal shapes and dtypes. The gradient is the taken branch's.
 * A JavaScript boolean `pred` is decided when the function is traced.
 * @example const y = cond(x.sum().greater(0), () => x.mul(2), () => x.neg());
 */
export function cond<T>(pred: Tensor | boolean, thenFn: () => T, elseFn: () => T): T {
  return condWith(pred, thenFn, elseFn, null);
}

/** The random generator's state at the start of each branch of the last run ([then, else]). */
type BranchStates = [DrawState | null, DrawState | null];
interface DrawState {
  readonly seed: number;
  readonly counter: number;
}

function drawState(): DrawState {
  return { seed: engine.randomSeed, counter: engine.randomCounter };
}

function setDrawState(s: DrawState): void {
  engine.randomSeed = s.seed;
  engine.randomCounter = s.counter;
}

/**
 * `cond`, where `replay` (for the gradient of a compiled cond) gives the generator state each
 * forward branch started from: a branch then draws from it again (the forward's values), and
 * leaves the generator as it found it.
 */
function condWith<T>(pred: Tensor | boolean, thenFn: () => T, elseFn: () => T, replay: (() => BranchStates) | null): T {
  if (typeof thenFn !== "function" || typeof elseFn !== "function") throw new InvalidArgumentError("cond: thenFn and elseFn must be functions");
  if (typeof pred === "boolean") return pred ? thenFn() : elseFn();
  if (!(pred instanceof Tensor)) throw new InvalidArgumentError(`cond: pred must be a tensor or a boolean, got ${typeof pred}`);
  const b = activeBuilder();
  if (b === null) return canReadPredicate(pred) ? (readPredicate(pred, "cond") ? thenFn() : elseFn()) : selectBranches(pred, thenFn, elseFn);
  if (pred.size !== 1) throw new InvalidArgumentError(`cond: the predicate must have one element, got ${pred.describe()}`);
  const thenBody = traceBody(b, "cond then branch", [], () => thenFn());
  const elseBody = traceBody(b, "cond else branch", [], () => elseFn());
  sameOutputs(thenBody, elseBody, "cond", ["thenFn", "elseFn"]);
  const caps = unionCaptures([thenBody, elseBody]);
  const [thenIdx, elseIdx] = caps.index as [number[], number[]];
  let lastStates: BranchStates = [null, null];
  // Run one branch, from the replayed generator state when there is one.
  const runBranch = (which: 0 | 1, ins: readonly Tensor[]): Tensor[] => {
    const [body, idx] = which === 0 ? [thenBody, thenIdx] : [elseBody, elseIdx];
    const from = replay?.()[which] ?? null;
    const before = drawState();
    lastStates[which] = before;
    if (from) setDrawState(from);
    try {
      return body.program.run(idx.map((k) => ins[1 + k]!));
    } finally {
      if (from) setDrawState(before);
    }
  };
  const run = (ins: readonly Tensor[]): Tensor[] => {
    lastStates = [null, null];
    if (!canReadPredicate(ins[0]!)) {
      // The device cannot tell the host the outcome: both branches run and `where` selects.
      const a = runBranch(0, ins);
      let c: Tensor[] = [];
      let mask: Tensor | null = null;
      try {
        c = runBranch(1, ins);
        mask = predicateMask(ins[0]!, "cond");
        return selectEach(mask, a, c);
      } finally {
        if (mask !== null && mask !== ins[0]) mask.dispose();
        for (const t of [...a, ...c]) t.dispose();
      }
    }
    return runBranch(readPredicate(ins[0]!, "cond") ? 0 : 1, ins);
  };
  const attrs = new ControlFlowAttrs({ then: `${thenBody.program.ops.length} ops`, else: `${elseBody.program.ops.length} ops` });
  const outs = b.record(controlFlowDef("cond"), [pred, ...caps.handles], attrs, thenBody.outSpecs, run);
  attrs.bind(outs);
  if (tapeRecording()) {
    // d cond(p, f, g) = cond(p, vjp f, vjp g): the backward is a cond of the branches' gradients.
    const sources = caps.outer.filter(gradientSource);
    recordCustom(
      "cond",
      (dys) => {
        const seeds = [...dys];
        const grads = condWith(
          pred,
          () => vjpOf(thenFn, sources, seeds, "cond then branch"),
          () => vjpOf(elseFn, sources, seeds, "cond else branch"),
          () => lastStates,
        );
        return [null, ...caps.outer.map((t) => (gradientSource(t) ? grads[sources.indexOf(t)]! : null))];
      },
      [pred, ...caps.outer],
      outs,
    );
  }
  return rebuildTree(thenBody.structure, outs) as T;
}

/** Options of `whileLoop`. */
export interface WhileLoopOptions {
  /**
   * Stop after this many iterations even if `condFn` is still true. Under `compile` a loop is
   * differentiable only with it: the gradient then runs a scan of `maxIterations` steps.
   */
  readonly maxIterations?: number;
}

function asList(x: unknown, what: string): Tensor[] {
  const list = x instanceof Tensor ? [x] : x;
  if (!Array.isArray(list) || list.some((t) => !(t instanceof Tensor))) throw new InvalidArgumentError(`${what}: expected a tensor or an array of tensors`);
  return list as Tensor[];
}

/**
 * Repeat `vars = bodyFn(...vars)` while `condFn(...vars)` is true (nonzero), starting from
 * `loopVars`, and return the final values. `bodyFn` returns as many tensors as `loopVars` (a
 * single tensor for one), each with the same shape and dtype. Eagerly this is a host loop and
 * a tape records every iteration. Inside `compile` it is one node that runs the traced
 * condition and body until the condition is false, so the trip count can change per call
 * without retracing. Under `compile` a gradient needs `maxIterations` (without it, a gradient
 * reaching the loop throws `NonDifferentiableError`).
 * @example const [i, acc] = whileLoop((i) => i.less(10), (i, acc) => [i.add(1), acc.mul(2)], [scalar(0), scalar(1)]);
 */
export function whileLoop(
  condFn: (...vars: Tensor[]) => Tensor | boolean,
  bodyFn: (...vars: Tensor[]) => Tensor | readonly Tensor[],
  loopVars: readonly Tensor[],
  options: WhileLoopOptions = {},
): Tensor[] {
  if (typeof condFn !== "function" || typeof bodyFn !== "function") throw new InvalidArgumentError("whileLoop: condFn and bodyFn must be functions");
  const init = asList(loopVars, "whileLoop: loopVars");
  const max = options.maxIterations;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) throw new InvalidArgumentError(`whileLoop: maxIterations must be an integer >= 0, got ${max}`);
  const specs: TensorSpec[] = init.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  const checkBody = (out: readonly Tensor[] | readonly TensorSpec[]): void => {
    if (out.length !== specs.length) throw new InvalidArgumentError(`whileLoop: bodyFn returned ${out.length} tensors for ${specs.length} loop variables`);
    out.forEach((o, i) => {
      if (o.dtype !== specs[i]!.dtype || !shapesEqual(o.shape, specs[i]!.shape))
        throw new ShapeError(`whileLoop: bodyFn turned loop variable ${i} from ${specs[i]!.dtype}${shapeStr(specs[i]!.shape)} into ${o.dtype}${shapeStr(o.shape)}; each must keep its shape and dtype`);
    });
  };
  const b = activeBuilder();
  if (b === null) {
    let vars = init;
    const start = engine.nextTensorId;
    for (let i = 0; max === undefined || i < max; i++) {
      const c = condFn(...vars);
      if (c instanceof Tensor && !canReadPredicate(c)) {
        // The device cannot tell the host when to stop: the remaining steps run masked on the device.
        if (max === undefined) throw unboundedLoopError(c);
        const made = (t: Tensor): boolean => t.id >= start;
        const cond = (vs: readonly Tensor[]): Tensor => {
          const r = condFn(...vs);
          return r instanceof Tensor ? r : runOp("fill", [], { shape: [], dtype: "bool", value: r ? 1 : 0 })[0]!;
        };
        const step = (vs: readonly Tensor[]): Tensor[] => {
          const next = asList(bodyFn(...vs), "whileLoop: bodyFn");
          checkBody(next);
          return next;
        };
        return maskedLoop(cond, step, vars, max - i, c, made);
      }
      if (!(typeof c === "boolean" ? c : readPredicate(c, "whileLoop"))) break;
      vars = asList(bodyFn(...vars), "whileLoop: bodyFn");
      checkBody(vars);
    }
    return vars;
  }
  if (tapeRecording() && max !== undefined) return boundedWhile(condFn, bodyFn, init, max);
  const condBody = traceBody(b, "whileLoop condFn", specs, (vs) => {
    const c = condFn(...vs);
    if (!(c instanceof Tensor) || c.size !== 1) throw new InvalidArgumentError("whileLoop: under compile condFn must return a tensor with one element");
    return c;
  });
  const body = traceBody(b, "whileLoop bodyFn", specs, (vs) => asList(bodyFn(...vs), "whileLoop: bodyFn"));
  checkBody(body.outSpecs);
  const caps = unionCaptures([condBody, body]);
  const [condIdx, bodyIdx] = caps.index as [number[], number[]];
  const n = init.length;
  const run = (ins: readonly Tensor[]): Tensor[] => {
    let vars = ins.slice(0, n);
    let owned = false;
    try {
      for (let i = 0; max === undefined || i < max; i++) {
        const [c] = condBody.program.run([...vars, ...condIdx.map((k) => ins[n + k]!)]);
        if (!canReadPredicate(c!)) {
          // The device cannot tell the host when to stop: the remaining steps run masked on the device.
          if (max === undefined) {
            const error = unboundedLoopError(c!);
            c!.dispose();
            throw error;
          }
          const result = maskedLoop(
            (vs) => condBody.program.run([...vs, ...condIdx.map((k) => ins[n + k]!)])[0]!,
            (vs) => body.program.run([...vs, ...bodyIdx.map((k) => ins[n + k]!)]),
            vars,
            max - i,
            c!,
            () => true,
          );
          if (result === vars) return owned ? ((owned = false), vars) : vars.map(ownHandle);
          if (owned) for (const v of vars) v.dispose();
          owned = false;
          return result;
        }
        let go: boolean;
        try {
          go = readPredicate(c!, "whileLoop");
        } finally {
          c!.dispose();
        }
        if (!go) break;
        const next = body.program.run([...vars, ...bodyIdx.map((k) => ins[n + k]!)]);
        if (owned) for (const v of vars) v.dispose();
        vars = next;
        owned = true;
      }
      if (owned) {
        owned = false;
        return vars;
      }
      return vars.map(ownHandle);
    } finally {
      if (owned) for (const v of vars) v.dispose();
    }
  };
  const attrs = new ControlFlowAttrs({ cond: `${condBody.program.ops.length} ops`, body: `${body.program.ops.length} ops`, maxIterations: String(max ?? "none") });
  const outs = b.record(controlFlowDef("whileLoop"), [...init, ...caps.handles], attrs, specs, run);
  attrs.bind(outs);
  if (tapeRecording())
    recordCustom(
      "whileLoop",
      () => {
        throw new NonDifferentiableError(
          "whileLoop: a gradient reached a compiled whileLoop without maxIterations; its trip count is unbounded, so it is not differentiable under compile. Pass { maxIterations } (the gradient then runs that many steps), or use scan for a fixed count",
        );
      },
      [...init, ...caps.outer],
      outs,
    );
  return outs;
}

/**
 * Eagerly, on a device that cannot read `pred` synchronously: both branches run and `where`
 * selects each output (a tape records both, so the gradient is the taken branch's, masked).
 */
function selectBranches<T>(pred: Tensor, thenFn: () => T, elseFn: () => T): T {
  const start = engine.nextTensorId;
  const a: Tensor[] = [];
  const c: Tensor[] = [];
  const aTree = flattenTree(thenFn(), a, "cond: thenFn");
  const cTree = flattenTree(elseFn(), c, "cond: elseFn");
  if (treeKey(aTree) !== treeKey(cTree))
    throw new InvalidArgumentError(`cond: thenFn returned ${treeKey(aTree)} but elseFn returned ${treeKey(cTree)}; on a device that selects on the device both must return the same structure (T = tensor)`);
  a.forEach((t, i) => {
    const o = c[i]!;
    if (t.dtype !== o.dtype || !shapesEqual(t.shape, o.shape))
      throw new ShapeError(`cond: output ${i} is ${t.describe()} in thenFn but ${o.describe()} in elseFn; on a device that selects on the device both must match`);
  });
  const mask = predicateMask(pred, "cond");
  try {
    return rebuildTree(aTree, selectEach(mask, a, c)) as T;
  } finally {
    if (mask !== pred) mask.dispose();
    for (const t of new Set([...a, ...c])) if (t.id >= start) t.dispose();
  }
}

/**
 * The differentiable form of a bounded loop: a scan of `max` steps whose carry holds an
 * "active" flag; once the condition is false the variables pass through unchanged.
 */
function boundedWhile(
  condFn: (...vars: Tensor[]) => Tensor | boolean,
  bodyFn: (...vars: Tensor[]) => Tensor | readonly Tensor[],
  init: readonly Tensor[],
  max: number,
): Tensor[] {
  const active = runOp("fill", [], { shape: [], dtype: "bool", value: 1 })[0]!;
  const [final] = scan(
    (carry: Tensor[]) => {
      const [act, ...vars] = carry as [Tensor, ...Tensor[]];
      const c = condFn(...vars);
      const keep = runOp("logicalAnd", [act, c instanceof Tensor ? runOp("cast", [c], { dtype: "bool" })[0]! : c], {})[0]!;
      const next = asList(bodyFn(...vars), "whileLoop: bodyFn");
      return [[keep, ...next.map((v, i) => runOp("where", [keep, v, vars[i]!], {})[0]!)], []];
    },
    [active, ...init],
    null,
    { length: max },
  );
  return (final as Tensor[]).slice(1);
}
