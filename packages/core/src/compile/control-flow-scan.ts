/**
 * `scan`: a loop over axis 0 of `xs` that threads a carry and stacks a per-step output. Eagerly a
 * host loop (a tape records every step); under `compile` one node running a traced body per
 * step. Its gradient under `compile` is a reverse scan over the carries saved by the forward.
 */
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { TensorSpec } from "../ops/def.js";
import { shapeStr, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { recordCustom } from "../engine/tape.js";
import { differentiable, runOp } from "../engine/dispatch.js";
import { activeBuilder } from "./builder.js";
import { engine } from "../engine/engine.js";
import { ControlFlowAttrs, controlFlowDef, flattenTree, gradientSource, ownHandle, rebuildTree, tapeRecording, traceBody, treeKey, unionCaptures, vjpOf, type Tree } from "./control-flow-trace.js";

/** Options of `scan`. */
export interface ScanOptions {
  /** Visit the steps from last to first (ys[t] still belongs to xs[t]). Default false. */
  readonly reverse?: boolean;
  /** The number of steps when `xs` is null (otherwise it must equal the length of xs's axis 0). */
  readonly length?: number;
}

function sliceStep(x: Tensor, t: number): Tensor {
  const rest = x.shape.slice(1);
  const s = runOp("stridedSlice", [x], { begin: [t, ...rest.map(() => 0)], size: [1, ...rest], strides: x.shape.map(() => 1) })[0]!;
  const r = runOp("reshape", [s], { shape: rest })[0]!;
  s.dispose();
  return r;
}

function stackSteps(steps: readonly Tensor[], spec: TensorSpec): Tensor {
  if (steps.length === 0) return runOp("fill", [], { shape: [0, ...spec.shape], dtype: spec.dtype, value: 0 })[0]!;
  const expanded = steps.map((s) => runOp("reshape", [s], { shape: [1, ...s.shape] })[0]!);
  const out = runOp("concat", expanded, { axis: 0 })[0]!;
  for (const e of expanded) e.dispose();
  return out;
}

function checkCarry(got: readonly TensorSpec[], want: readonly TensorSpec[]): void {
  got.forEach((g, i) => {
    const w = want[i]!;
    if (g.dtype !== w.dtype || !shapesEqual(g.shape, w.shape))
      throw new ShapeError(`scan: fn turned carry ${i} from ${w.dtype}${shapeStr(w.shape)} into ${g.dtype}${shapeStr(g.shape)}; the carry must keep its shapes and dtypes`);
  });
}

/** Split what fn returned into its carry and y: the carry alone (y = the new carry) or [carry, y]. */
function splitResult(r: unknown, carryKey: string): { carry: unknown; y: unknown; pair: boolean } {
  const leaves: Tensor[] = [];
  if (treeKey(flattenTree(r, leaves, "scan: fn")) === carryKey) return { carry: r, y: r, pair: false };
  if (Array.isArray(r) && r.length === 2 && treeKey(flattenTree(r[0], [], "scan: fn")) === carryKey) return { carry: r[0], y: r[1], pair: true };
  throw new InvalidArgumentError(
    `scan: fn must return the carry (structure ${carryKey}) or [carry, y]; it returned ${treeKey(flattenTree(r, [], "scan: fn"))} (T = tensor)`,
  );
}

/**
 * Loop `fn(carry, x)` over axis 0 of `xs` and return `[finalCarry, ys]`. `fn` returns either the
 * new carry (then ys stacks the carries after each step, like `tf.scan`) or `[carry, y]` (ys
 * stacks each y, like `jax.lax.scan`). The carry, `xs` and y may be tensors or arrays and plain
 * objects of tensors; each x is the slice of xs at step t with axis 0 removed, and the carry must
 * keep its shapes and dtypes. `xs` may be null with `{ length }`. Eagerly this is a host loop (a
 * tape records each step); inside `compile` it is one node, and its gradient runs a reverse scan
 * over the carries saved by the forward pass.
 * @example const [total, running] = scan((acc, x) => acc.add(x), scalar(0), tensor([1, 2, 3])); // 6, [1, 3, 6]
 */
export function scan<C>(fn: (carry: C, x: any) => unknown, initial: C, xs: unknown, options: ScanOptions = {}): [C, any] {
  return scanWith(fn, initial, xs, options, null);
}

/** The random generator's state (what a step's draws start from). */
interface DrawState {
  readonly seed: number;
  readonly counter: number;
}

/**
 * `scan`, where `replay` (for the gradient of a compiled scan) gives the generator state at the
 * start of each forward step: step t of this scan then draws from it, so a body that draws
 * random values sees the forward's draws again.
 */
function scanWith<C>(fn: (carry: C, x: any) => unknown, initial: C, xs: unknown, options: ScanOptions, replay: (() => readonly DrawState[]) | null): [C, any] {
  if (typeof fn !== "function") throw new InvalidArgumentError("scan: fn must be a function");
  const cl: Tensor[] = [];
  const cTree = flattenTree(initial, cl, "scan: initial");
  const carryKey = treeKey(cTree);
  const xl: Tensor[] = [];
  const xTree = flattenTree(xs, xl, "scan: xs");
  for (const x of xl) if (x.rank === 0) throw new ShapeError(`scan: xs holds a scalar (${x.describe()}); each x is a slice along axis 0, so xs needs rank >= 1`);
  const n = options.length ?? xl[0]?.shape[0];
  if (n === undefined) throw new InvalidArgumentError("scan: xs has no tensors; pass { length } for the number of steps");
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`scan: length must be an integer >= 0, got ${n}`);
  for (const x of xl) if (x.shape[0] !== n) throw new ShapeError(`scan: every tensor of xs needs ${n} steps along axis 0, got ${x.describe()}`);
  const reverse = options.reverse ?? false;
  const order = Array.from({ length: n }, (_, i) => (reverse ? n - 1 - i : i));
  const carrySpecs: TensorSpec[] = cl.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  const b = activeBuilder();

  if (b === null) {
    if (n === 0) throw new InvalidArgumentError("scan: zero steps run eagerly cannot tell the shape of ys; call it with at least one step (or inside compile)");
    let carry: unknown = initial;
    let yTree: Tree | null = null;
    const steps: Tensor[][] = new Array(n);
    for (const t of order) {
      const xt = xl.map((x) => sliceStep(x, t));
      const r = splitResult(fn(carry as C, rebuildTree(xTree, xt)), carryKey);
      const newCarry: Tensor[] = [];
      flattenTree(r.carry, newCarry, "scan: fn");
      checkCarry(newCarry, carrySpecs);
      const y: Tensor[] = [];
      const tree = flattenTree(r.y, y, "scan: fn");
      if (yTree === null) yTree = tree;
      else if (treeKey(tree) !== treeKey(yTree)) throw new InvalidArgumentError(`scan: y changed structure from ${treeKey(yTree)} to ${treeKey(tree)} at step ${t}`);
      steps[t] = y;
      carry = r.carry;
    }
    const ys = steps[0]!.map((s, j) => {
      steps.forEach((st, t) => {
        if (!shapesEqual(st[j]!.shape, s.shape) || st[j]!.dtype !== s.dtype) throw new ShapeError(`scan: y ${j} is ${s.describe()} at step 0 but ${st[j]!.describe()} at step ${t}`);
      });
      return stackSteps(steps.map((st) => st[j]!), s);
    });
    return [carry as C, rebuildTree(yTree!, ys)];
  }

  const xSpecs: TensorSpec[] = xl.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }));
  const nc = cl.length;
  let pair = false;
  let yTree: Tree = { kind: "value", value: null };
  const body = traceBody(b, "scan fn", [...carrySpecs, ...xSpecs], (args) => {
    const r = splitResult(fn(rebuildTree(cTree, args.slice(0, nc)) as C, rebuildTree(xTree, args.slice(nc))), carryKey);
    pair = r.pair;
    if (!pair) return r.carry;
    const leaves: Tensor[] = [];
    flattenTree(r.carry, leaves, "scan: fn");
    yTree = flattenTree(r.y, leaves, "scan: fn");
    return [r.carry, r.y];
  });
  if (!pair) yTree = cTree;
  checkCarry(body.outSpecs.slice(0, nc), carrySpecs);
  const ySpecs = pair ? body.outSpecs.slice(nc) : carrySpecs;
  const ny = ySpecs.length;
  const save = tapeRecording();
  const caps = unionCaptures([body]);
  const nx = xl.length;
  // The generator state at the start of each step of the last run (what the gradient replays).
  let stepStates: DrawState[] = [];
  const run = (ins: readonly Tensor[]): Tensor[] => {
    let carry = ins.slice(0, nc);
    const xsIn = ins.slice(nc, nc + nx);
    const capsIn = ins.slice(nc + nx);
    let owned = false;
    // The length of xs at run time (a `null` dimension of an inputSignature lets it vary).
    const steps = nx > 0 ? xsIn[0]!.shape[0]! : n;
    const order = Array.from({ length: steps }, (_, i) => (reverse ? steps - 1 - i : i));
    const ys: Tensor[][] = new Array(steps);
    const saved: Tensor[][] = new Array(steps);
    const states: DrawState[] | null = save ? new Array(steps) : null;
    const replayed = replay?.() ?? null;
    const after = { seed: engine.randomSeed, counter: engine.randomCounter };
    try {
      for (const t of order) {
        const xt = xsIn.map((x) => sliceStep(x, t));
        if (save) saved[t] = carry.map(ownHandle);
        if (states) states[t] = { seed: engine.randomSeed, counter: engine.randomCounter };
        const from = replayed?.[t];
        if (from) {
          engine.randomSeed = from.seed;
          engine.randomCounter = from.counter;
        }
        let outs: Tensor[];
        try {
          outs = body.program.run([...carry, ...xt, ...capsIn]);
        } finally {
          for (const x of xt) x.dispose();
          if (from) {
            engine.randomSeed = after.seed;
            engine.randomCounter = after.counter;
          }
        }
        const next = outs.slice(0, nc);
        ys[t] = pair ? outs.slice(nc) : next.map(ownHandle);
        if (owned) for (const c of carry) c.dispose();
        carry = next;
        owned = true;
      }
      const stacked = ySpecs.map((s, j) => stackSteps(order.map((_, t) => ys[t]![j]!), s));
      const savedStacked = save ? carrySpecs.map((s, j) => stackSteps(order.map((_, t) => saved[t]![j]!), s)) : [];
      const final = owned ? carry : carry.map(ownHandle);
      owned = false;
      if (states) stepStates = states;
      return [...final, ...stacked, ...savedStacked];
    } finally {
      if (owned) for (const c of carry) c.dispose();
      for (const list of [ys, saved]) for (const step of list) if (step) for (const s of step) s.dispose();
    }
  };
  const specs: TensorSpec[] = [
    ...carrySpecs,
    ...ySpecs.map((s) => ({ shape: [n, ...s.shape], dtype: s.dtype })),
    ...(save ? carrySpecs.map((s) => ({ shape: [n, ...s.shape], dtype: s.dtype })) : []),
  ];
  const attrs = new ControlFlowAttrs({ body: `${body.program.ops.length} ops`, steps: nx > 0 ? "xs axis 0" : String(n), reverse: String(reverse) });
  const outs = b.record(controlFlowDef("scan"), [...cl, ...xl, ...caps.handles], attrs, specs, run);
  attrs.bind(outs);
  const finalCarry = outs.slice(0, nc);
  const ysOut = outs.slice(nc, nc + ny);
  if (save) {
    const savedCarries = outs.slice(nc + ny);
    const capSources = caps.outer.filter(gradientSource);
    recordCustom(
      "scan",
      (dys) => {
        // Reverse scan: at step t, (dCarry, dCaptures) + vjp of fn at (carry_t, x_t) seeded with (dCarry, dy_t).
        const dC = dys.slice(0, nc);
        const dY = dys.slice(nc);
        const zeroCaps = capSources.map((t) => runOp("zerosLike", [t], {})[0]!);
        const [[dc0, dcaps], dxs] = scanWith(
          ([dc, dcap]: [Tensor[], Tensor[]], [c, x, dy]: [Tensor[], Tensor[], Tensor[]]) => {
            const seeds = pair ? [...dc, ...dy] : dc.map((g, i) => runOp("add", [g, dy[i]!], {})[0]!);
            const g = vjpOf(() => fn(rebuildTree(cTree, c) as C, rebuildTree(xTree, x)), [...c, ...x, ...capSources], seeds, "scan fn");
            return [[g.slice(0, nc), dcap.map((a, i) => runOp("add", [a, g[nc + nx + i]!], {})[0]!)], g.slice(nc, nc + nx)];
          },
          [dC, zeroCaps] as [Tensor[], Tensor[]],
          [savedCarries, xl, dY],
          { reverse: !reverse, length: n },
          () => stepStates,
        ) as [[Tensor[], Tensor[]], Tensor[]];
        return [
          ...cl.map((t, i) => (differentiable(t.dtype) ? dc0[i]! : null)),
          ...xl.map((t, i) => (differentiable(t.dtype) ? dxs[i]! : null)),
          ...caps.outer.map((t) => (gradientSource(t) ? dcaps[capSources.indexOf(t)]! : null)),
        ];
      },
      [...cl, ...xl, ...caps.outer],
      [...finalCarry, ...ysOut],
    );
  }
  return [rebuildTree(cTree, finalCarry) as C, rebuildTree(shiftTree(yTree, pair ? -nc : 0), ysOut)];
}

/** `t` with every leaf index moved by `by`. */
function shiftTree(t: Tree, by: number): Tree {
  switch (t.kind) {
    case "tensor":
      return { kind: "tensor", index: t.index + by };
    case "array":
      return { kind: "array", items: t.items.map((i) => shiftTree(i, by)) };
    case "object":
      return { kind: "object", entries: t.entries.map(([k, v]) => [k, shiftTree(v, by)]) };
    default:
      return t;
  }
}
