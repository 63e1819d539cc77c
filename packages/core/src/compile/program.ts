/**
 * A compiled program: the trace after its passes, with a slot per value, and `run`, which
 * replays it through the ordinary dispatcher. Variables are read by reference at each run and
 * written after it; constants are held once (and cached per device they are used on); every
 * intermediate is freed after its last use, and all of them when a node throws.
 */
import type { DType, TypedArray } from "../dtype.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { currentFrame, UNTRACKED_SCOPE, withFrame } from "../engine/context.js";
import { getBackend, getDefaultDevice } from "../engine/registry.js";
import { engine } from "../engine/engine.js";
import { FOLD_DEVICE } from "./fold.js";
import { allocArray } from "../dtype.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpName } from "../ops/table.js";
import { broadcastShapes, shapeStr, shapesEqual } from "../shape.js";
import { Tensor, Variable } from "../tensor.js";
import type { HostStep, TraceBuilder } from "./builder.js";
import { fuseEpilogues } from "./epilogue.js";
import { runEpilogueApart, runEpilogueFused } from "./run-epilogue.js";
import { mergeCommonSubexpressions, planLifetimes, removeDeadCode } from "./passes.js";
import { fuseElementwise, fusible, nodeExpr, type Unit } from "./fusion.js";
import { runFused, runUnfused } from "./run-fused.js";
import { absorbViews, unitViewOps, type ViewLayout } from "./fused-views.js";
import { layoutsOf, materializeViews, runNodeAlone } from "./run-views.js";
import { runAsView } from "./views.js";
import { STEP_HOST, STEP_UNIT, STEP_VIEW, stepTable, type StepTable } from "./step-table.js";
import { unitDef } from "./unit-ops.js";
import { joinMatmulSums, specOfInput } from "./matmul-sum.js";
import { runResolved } from "./resolved-ops.js";
import { printExpr } from "../ir/print.js";

/** One kernel of a program: the ops it runs (several when fused), its device, and whether it ran as one fused kernel. */
export interface ProgramKernel {
  readonly ops: readonly OpName[];
  readonly device: string;
  /** True when the ops ran as one kernel; false when the device ran them one by one (no fusion support). */
  readonly fused: boolean;
  /** Set on a kernel whose first op (matmul, conv2d or a reduction) carries the others as an elementwise tail. */
  readonly head?: OpName;
}

/** What the passes did. */
export interface PassStats {
  readonly traced: number;
  readonly deadRemoved: number;
  readonly merged: number;
}

interface Step {
  readonly unit: Unit;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Slots freed after this step. */
  readonly frees: readonly number[];
  /** A fused unit's inputs that are arguments read for the last time here, with the output's shape and dtype: where a donated argument's buffer may take the output. */
  readonly donate?: readonly { readonly input: number; readonly arg: number }[];
}

/** A handle on `t`'s storage that follows the other inputs' placement (`t` is released). */
function unplaced(t: Tensor): Tensor {
  const s = t._live("compile: moving a constant");
  s.retain();
  t.dispose();
  return new Tensor(s, t.shape, t.dtype, false, null)._keep();
}

/** A traced, optimized function body. Build with `compile`; inspect with `concrete`. */
export class Program {
  /** Ops in execution order (after the passes). */
  readonly ops: readonly OpName[];
  readonly passes: PassStats;
  /** Variables read or written, in order of first use. */
  readonly variables: readonly Variable[];
  /** Variables the program assigns. */
  readonly writes: readonly Variable[];
  /** Seconds spent tracing and in the passes. */
  compileSeconds = 0;
  /** The steps of the last run: `viewSteps` on a device whose fused kernels take views, else `plainSteps`. */
  private steps: Step[];
  private readonly viewSteps: Step[];
  private readonly plainSteps: Step[];
  private readonly nSlots: number;
  private readonly argSlots: number[];
  private readonly varSlots: number[];
  private readonly writeSlots: number[];
  private readonly outputSlots: number[];
  /** `folded`: an unplaced constant on the reference backend (made by constant folding), moved to the default device when no device is named. */
  private readonly constSlots: { slot: number; tensor: Tensor; perDevice: Map<string, Tensor>; folded: boolean }[];
  private readonly host: { step: HostStep; slot: number }[];
  private stepDevices: string[] = [];
  private stepFused: boolean[] = [];
  private disposed = false;
  /** During `runDonating`: the argument positions the caller gave up. */
  private donating: ReadonlySet<number> | null = null;
  /** Each step list laid out for the run loop, made on its first run. */
  private readonly tables = new Map<readonly Step[], StepTable>();
  /** True until the first run (whose host effects already happened while tracing). */
  private fresh = true;

  /**
   * `fromTrace`: false for a program rebuilt from another trace (no host effect ran for it yet, so
   * its first run runs them).
   */
  constructor(b: TraceBuilder, outputIds: readonly number[], readonly argSpecs: readonly { shape: readonly number[]; dtype: DType }[], fromTrace = true, donating = false) {
    this.fresh = fromTrace;
    const writeIds = b.written.map((v) => b.varState.get(v)!);
    const traced = b.nodes.length;
    const live = removeDeadCode(b.nodes, [...outputIds, ...writeIds, ...b.effects]);
    const merged = mergeCommonSubexpressions(live);
    const replaced = merged.replaced;
    const canon = (id: number): number => replaced.get(id) ?? id;
    const outs = outputIds.map(canon);
    const writes = writeIds.map(canon);
    const { nodes } = joinMatmulSums(merged.nodes, new Set([...outs, ...writes]), (id) => specOfInput(b, id));
    this.passes = { traced, deadRemoved: traced - live.length, merged: live.length - merged.nodes.length };
    // Slots: one per value id.
    const slotOf = new Map<number, number>();
    const slot = (id: number): number => {
      let s = slotOf.get(id);
      if (s === undefined) slotOf.set(id, (s = slotOf.size));
      return s;
    };
    this.argSlots = b.args.map((t) => slot(t.id));
    const used = new Set<number>([...outs, ...writes]);
    for (const n of nodes) for (const id of n.inputs) used.add(id);
    this.variables = b.varsRead.filter((v) => used.has(v.id) || b.written.includes(v));
    this.varSlots = this.variables.map((v) => slot(v.id));
    this.writes = b.written;
    this.writeSlots = writes.map(slot);
    this.constSlots = [];
    for (const [id, t] of b.constants) {
      if (used.has(id)) this.constSlots.push({ slot: slot(id), tensor: t, perDevice: new Map(), folded: !t._placed && t.device === FOLD_DEVICE });
      else t.dispose();
    }
    this.host = b.host.map((step) => ({ step, slot: step.kind === "scalar" ? slot(step.id) : -1 }));
    const pinned = new Set<number>([...outs, ...writes, ...b.args.map((t) => t.id), ...this.variables.map((v) => v.id), ...b.constants.keys()]);
    for (const h of b.host) if (h.kind === "scalar") pinned.add(h.id);
    const specs = new Map<number, { shape: readonly number[]; dtype: DType }>();
    for (const t of [...b.args, ...this.variables, ...b.constants.values()]) specs.set(t.id, t);
    for (const [id, t] of b.constants) specs.set(id, t);
    for (const h of b.host) if (h.kind === "scalar") specs.set(h.id, { shape: [], dtype: h.dtype });
    for (const n of nodes) for (const o of n.outputs) specs.set(o.id, o);
    const keep = new Set([...outs, ...writes]);
    // With donation on, a lone elementwise op over an argument of its output's shape and dtype runs
    // as a fused kernel of one op, which can write over that argument when it is donated.
    const argIds = new Set(b.args.map((t) => t.id));
    const sameSpec = (id: number, o: { shape: readonly number[]; dtype: DType }): boolean => {
      const x = specs.get(id)!;
      return x.dtype === o.dtype && x.shape.length === o.shape.length && x.shape.every((d, m) => d === o.shape[m]);
    };
    const donatable = (u: Unit): Unit => {
      if (!donating || u.kind !== "op" || !fusible(u.node) || u.node.run) return u;
      const n = u.node;
      const o = n.outputs[0]!;
      if (!n.inputs.some((id) => argIds.has(id) && sameSpec(id, o))) return u;
      return { kind: "fused", expr: nodeExpr(n, n.inputs.map((id) => specs.get(id)!.dtype)), inputs: n.inputs, outputs: u.outputs, shape: o.shape, dtype: o.dtype, nodes: [n] };
    };
    const fusedUnits = fuseEpilogues(fuseElementwise(nodes, keep, specs), keep, specs);
    const viewUnits = absorbViews(fusedUnits, keep, specs);
    const plain = donating ? fusedUnits.map(donatable) : fusedUnits;
    const withViews = viewUnits === fusedUnits ? plain : donating ? viewUnits.map(donatable) : viewUnits;
    const kept = new Set([...outs, ...writes]);
    const stepsOf = (units: readonly Unit[]): Step[] => {
      const frees = planLifetimes(units, pinned);
      const lastRead = new Map<number, number>();
      units.forEach((u, i) => u.inputs.forEach((id) => lastRead.set(id, i)));
      return units.map((u, i) => ({ unit: u, inputs: u.inputs.map(slot), outputs: u.outputs.map(slot), frees: frees[i]!.map(slot), donate: donation(u, i) }));
      function donation(u: Unit, i: number): Step["donate"] {
        if (u.kind !== "fused") return undefined;
        const found: { input: number; arg: number }[] = [];
        for (let j = 0; j < u.inputs.length; j++) {
          const id = u.inputs[j]!;
          const arg = b.args.findIndex((t) => t.id === id);
          if (arg < 0 || u.views?.[j] || lastRead.get(id) !== i || kept.has(id)) continue;
          const a = b.args[arg]!;
          if (a.dtype === u.dtype && a.shape.length === u.shape.length && a.shape.every((d, m) => d === u.shape[m])) found.push({ input: j, arg });
        }
        return found.length > 0 ? found : undefined;
      }
    };
    this.plainSteps = stepsOf(plain);
    this.viewSteps = withViews === plain ? this.plainSteps : stepsOf(withViews);
    this.steps = this.viewSteps;
    this.outputSlots = outs.map(slot);
    this.nSlots = slotOf.size;
    this.ops = nodes.map((n) => n.op);
  }

  /** The kernels a run launches, with the ops each runs and its device (from the last run). */
  get kernels(): ProgramKernel[] {
    return this.steps.map((s, i) => {
      const u = s.unit;
      const device = this.stepDevices[i] ?? "not run yet";
      if (u.kind === "op") return { ops: [u.node.op], device, fused: false };
      const fused = this.stepFused[i] !== false;
      const ops = [...unitViewOps(u), ...u.nodes.map((n) => n.op)] as OpName[];
      return u.kind === "epilogue" ? { ops: [u.head.op, ...ops], device, fused, head: u.head.op } : { ops, device, fused };
    });
  }

  /**
   * Run on real tensors (one per argument placeholder). Returns the outputs in order; assigns
   * the written variables after every op has run.
   */
  run(args: readonly Tensor[]): Tensor[] {
    if (this.disposed) throw new InvalidArgumentError("compile: this program was disposed");
    const nSlots = this.nSlots;
    const env: (Tensor | undefined)[] = new Array(nSlots);
    // 1 for a slot holding a tensor this run made (freed here unless returned).
    const owned = new Uint8Array(nSlots);
    let ok = false;
    try {
      const argSlots = this.argSlots;
      for (let i = 0; i < argSlots.length; i++) env[argSlots[i]!] = args[i];
      const varSlots = this.varSlots;
      for (let i = 0; i < varSlots.length; i++) env[varSlots[i]!] = this.variables[i];
      if (this.constSlots.length > 0) {
        // Constants move to the device the program runs on once, and stay there.
        let target = currentFrame().device;
        for (let i = 0; i < args.length && target === null; i++) if (args[i]!._placed) target = args[i]!.device;
        // With no device named, folded constants (on the reference backend) go to the default device; others stay.
        let fallback: string | null = null;
        for (const c of this.constSlots) {
          let device = target;
          if (device === null) {
            if (!c.folded) {
              env[c.slot] = c.tensor;
              continue;
            }
            device = fallback ??= getDefaultDevice();
          }
          env[c.slot] = device === c.tensor.device ? c.tensor : this.constantOn(c, device, target !== null);
        }
      }
      // Host values are read (and host effects run) in the caller's scope, before any kernel.
      let hostValues: TypedArray[] | null = null;
      if (this.host.length > 0) {
        hostValues = [];
        for (const h of this.host) {
          if (h.step.kind === "effect") {
            if (!this.fresh) h.step.fn();
            continue;
          }
          const values = allocArray(h.step.dtype, 1);
          values[0] = h.step.fn();
          hostValues.push(values);
        }
      }
      this.fresh = false;
      this.chooseSteps(args);
      const scope = currentFrame().tidy;
      // With no debugging tool watching ops, the kernels' tensors skip tidy scopes and the finalizer:
      // this run frees each at its last use, and registers the returned ones below as a kernel would have.
      const untracked = engine.opObserver === null;
      if (untracked) withFrame({ tidy: UNTRACKED_SCOPE }, () => this.runSteps(env, owned, hostValues));
      else this.runSteps(env, owned, hostValues);
      const writeSlots = this.writeSlots;
      for (let i = 0; i < writeSlots.length; i++) {
        const v = this.writes[i]!;
        v._assignStorage(env[writeSlots[i]!]!, `compiled assign to "${v.name}"`);
      }
      const outputSlots = this.outputSlots;
      const results: Tensor[] = new Array(outputSlots.length);
      for (let i = 0; i < outputSlots.length; i++) {
        const s = outputSlots[i]!;
        const t = env[s]!;
        if (owned[s] === 1) {
          results[i] = t;
          // (Under another program's run, that program frees it.)
          if (untracked && scope !== UNTRACKED_SCOPE) {
            if (scope !== null) scope.tracked.add(t);
            else t._escape();
          }
          continue;
        }
        const storage = t._live("compile: returning an input");
        storage.retain();
        results[i] = new Tensor(storage, t.shape, t.dtype, t._placed);
      }
      for (let s = 0; s < nSlots; s++) if (owned[s] === 1 && !results.includes(env[s]!)) env[s]!.dispose();
      ok = true;
      return results;
    } finally {
      if (!ok) for (let s = 0; s < nSlots; s++) if (owned[s] === 1) env[s]?.dispose();
    }
  }

  /** Run every step on `env` (slots marked in `owned` hold tensors this run made; each is freed after its last use). */
  private runSteps(env: (Tensor | undefined)[], owned: Uint8Array, hostValues: TypedArray[] | null): void {
    if (hostValues !== null) {
      let j = 0;
      for (const h of this.host) {
        if (h.step.kind === "effect") continue;
        env[h.slot] = tensorFromHost(hostValues[j++]!, [], h.step.dtype);
        owned[h.slot] = 1;
      }
    }
    let table = this.tables.get(this.steps);
    if (table === undefined) this.tables.set(this.steps, (table = stepTable(this.steps)));
    const { kind, node, unit, inputAt, inputs, outputAt, outputs, freeAt, frees } = table;
    const frame = currentFrame();
    const n = kind.length;
    for (let k = 0; k < n; k++) {
      const i0 = inputAt[k]!;
      const ni = inputAt[k + 1]! - i0;
      const ins = new Array<Tensor>(ni);
      for (let j = 0; j < ni; j++) ins[j] = env[inputs[i0 + j]!]!;
      let outs: Tensor[];
      const how = kind[k]!;
      if (how === STEP_UNIT) {
        const u = unit[k]!;
        // The debugging tools (profiler, numerics check, leak finder) see each fused kernel as one op.
        const observer = engine.opObserver;
        outs = observer === null ? this.runUnit(k, u, ins) : observer.observe(unitDef(u), ins, undefined, () => this.runUnit(k, u, ins));
      } else if (how === STEP_HOST) outs = node[k]!.run!(ins);
      else {
        const view = how === STEP_VIEW ? runAsView(node[k]!, ins, frame, table.views, k) : null;
        outs = view !== null ? [view] : runResolved(node[k]!, ins, frame, table.resolved, k);
      }
      const o0 = outputAt[k]!;
      for (let j = 0; j < outs.length; j++) {
        const slot = outputs[o0 + j]!;
        env[slot] = outs[j];
        owned[slot] = 1;
      }
      this.stepDevices[k] = outs.length > 0 ? outs[0]!.device : "";
      for (let j = freeAt[k]!, end = freeAt[k + 1]!; j < end; j++) {
        const f = frees[j]!;
        env[f]!.dispose();
        env[f] = undefined;
        owned[f] = 0;
      }
    }
  }

  /**
   * Use the steps with views where the device the program runs on (the scope's, else its first
   * placed argument's or variable's, else the default) takes views in fused kernels; else the plain ones.
   */
  private chooseSteps(args: readonly Tensor[]): void {
    if (this.viewSteps === this.plainSteps) return;
    let device = currentFrame().device;
    for (let i = 0; i < args.length && device === null; i++) if (args[i]!._placed) device = args[i]!.device;
    for (let i = 0; i < this.variables.length && device === null; i++) if (this.variables[i]!._placed) device = this.variables[i]!.device;
    const steps = getBackend(device ?? getDefaultDevice()).capabilities.fusedViews ? this.viewSteps : this.plainSteps;
    if (steps === this.steps) return;
    this.steps = steps;
    this.stepDevices = [];
    this.stepFused = [];
  }

  /**
   * Run with the tensors at `donated` (positions in `args`) given up by the caller: a fused kernel
   * that reads one for the last time may write its output over it. The caller disposes them after.
   */
  runDonating(args: readonly Tensor[], donated: ReadonlySet<number>): Tensor[] {
    this.donating = donated;
    try {
      return this.run(args);
    } finally {
      this.donating = null;
    }
  }

  /** The donated argument step `k` may overwrite: one nothing else holds, that no other input of the step shares. */
  private donated(k: number, ins: readonly Tensor[]): Tensor | undefined {
    const ds = this.donating === null ? undefined : this.steps[k]!.donate;
    if (ds === undefined) return undefined;
    for (const d of ds) {
      if (!this.donating!.has(d.arg)) continue;
      const t = ins[d.input]!;
      const s = t._storage;
      if (!s || s.refs !== 1 || ins.some((x, j) => j !== d.input && x._storage === s)) continue;
      return t;
    }
    return undefined;
  }

  /** Run a fused or epilogue unit: as one kernel where the device takes it, else in parts. */
  private runUnit(k: number, u: Unit & { kind: "fused" | "epilogue" }, ins: readonly Tensor[]): Tensor[] {
    if (!u.views) return this.runWhole(k, u, ins, undefined);
    // Views: read in place where the device takes them; otherwise make them first, as ops.
    const layouts = layoutsOf(u.views, ins);
    // (runFused and runEpilogueFused decline views on a device that takes none.)
    if (layouts !== null) {
      const y = u.kind === "fused" ? runFused(u.expr, ins, fusedShape(u, ins, layouts), u.dtype, layouts, this.donated(k, ins)) : runEpilogueFused(u, ins, layouts);
      if (y !== null) {
        this.stepFused[k] = true;
        return [y];
      }
    }
    const made: Tensor[] = [];
    try {
      return this.runWhole(k, u, materializeViews(u.views, ins, made), u.leaves);
    } finally {
      for (const t of made) t.dispose();
    }
  }

  /** A unit over the values its expression reads (`leaves`: their ids, when they differ from the unit's inputs). */
  private runWhole(k: number, u: Unit & { kind: "fused" | "epilogue" }, ins: readonly Tensor[], leaves: readonly number[] | undefined): Tensor[] {
    // A lone op read through views runs as its own kernel where the device does not fuse.
    if (u.kind === "fused" && u.nodes.length === 1 && leaves) {
      this.stepFused[k] = false;
      return runNodeAlone(u.nodes[0]!, ins);
    }
    const fused = u.kind === "fused" ? runFused(u.expr, ins, fusedShape(u, ins, null), u.dtype, null, this.donated(k, ins)) : runEpilogueFused(u, ins);
    this.stepFused[k] = fused !== null;
    return [fused ?? (u.kind === "fused" ? runUnfused({ inputs: leaves ?? u.inputs, nodes: u.nodes }, ins) : runEpilogueApart(u, ins))];
  }

  /** The constant's copy on `device`, made on first use. */
  private constantOn(c: { tensor: Tensor; perDevice: Map<string, Tensor> }, device: string, placed: boolean): Tensor {
    const key = placed ? device : `${device} unplaced`;
    let t = c.perDevice.get(key);
    if (!t) {
      const moved = c.tensor.to(device);
      t = placed ? moved._keep() : unplaced(moved);
      c.perDevice.set(key, t);
    }
    return t;
  }

  /** Free the captured constants. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of this.constSlots) {
      c.tensor.dispose();
      for (const t of c.perDevice.values()) t.dispose();
    }
  }

  /** One line per op: outputs = op(inputs) {attrs}, then what the passes did. */
  toString(): string {
    const name = (s: number): string => `%${s}`;
    const lines: string[] = [];
    lines.push(
      `program(${this.argSlots.map((s, i) => `${name(s)}: ${this.argSpecs[i]!.dtype}${shapeStr(this.argSpecs[i]!.shape)}`).join(", ")})` +
        (this.variables.length ? ` reads ${this.variables.map((v, i) => `${name(this.varSlots[i]!)}="${v.name}"`).join(", ")}` : ""),
    );
    for (const c of this.constSlots) lines.push(`  ${name(c.slot)} = constant ${c.tensor.dtype}${shapeStr(c.tensor.shape)}`);
    for (const h of this.host) if (h.step.kind === "scalar") lines.push(`  ${name(h.slot)} = hostValue ${h.step.dtype}[]`);
    for (const s of this.steps) {
      const u = s.unit;
      if (u.kind === "fused") {
        lines.push(`  ${name(s.outputs[0]!)}: ${u.dtype}${shapeStr(u.shape)} = fused[${[...unitViewOps(u), ...u.nodes.map((n) => n.op)].join(" > ")}](${s.inputs.map(name).join(", ")}${viewText(u)}): ${printExpr(u.expr)}`);
        continue;
      }
      if (u.kind === "epilogue") {
        const nh = u.head.inputs.length;
        lines.push(
          `  ${name(s.outputs[0]!)}: ${u.dtype}${shapeStr(u.shape)} = epilogue[${[u.head.op, ...unitViewOps(u), ...u.nodes.map((n) => n.op)].join(" > ")}](${s.inputs.slice(0, nh).map(name).join(", ")}${attrText(u.head.attrs)}; ${s.inputs.slice(nh).map(name).join(", ")}${viewText(u)}): ${printExpr(u.expr)}`,
        );
        continue;
      }
      const outs = u.node.outputs.map((o, j) => `${name(s.outputs[j]!)}: ${o.dtype}${shapeStr(o.shape)}`).join(", ");
      lines.push(`  ${outs} = ${u.node.op}(${s.inputs.map(name).join(", ")})${attrText(u.node.attrs)}`);
    }
    for (let i = 0; i < this.writes.length; i++) lines.push(`  assign "${this.writes[i]!.name}" <- ${name(this.writeSlots[i]!)}`);
    lines.push(`  return ${this.outputSlots.map(name).join(", ")}`);
    const p = this.passes;
    const fusedUnits = this.steps.filter((st) => st.unit.kind !== "op").length;
    const tails = this.steps.filter((st) => st.unit.kind === "epilogue").length;
    lines.push(
      `// ${p.traced} ops traced, ${p.deadRemoved} dead removed, ${p.merged} merged, ${this.ops.length} ops in ${this.steps.length} kernels (${fusedUnits} fused${tails ? `, ${tails} with an epilogue` : ""})`,
    );
    return lines.join("\n");
  }
}

/** The last input shapes of each fused unit and the output shape they gave (a program runs with the same shapes call after call). */
const lastShapes = new WeakMap<Unit, { ins: (readonly number[])[]; out: readonly number[] }>();

/**
 * A fused unit's output shape at run time: its inputs' (or views') broadcast shape, since a null
 * dimension may differ from the trace's; the traced shape where that broadcast has another rank.
 */
function fusedShape(u: Unit & { kind: "fused" }, ins: readonly Tensor[], layouts: readonly (ViewLayout | null)[] | null): readonly number[] {
  if (ins.length === 0) return u.shape;
  const last = lastShapes.get(u);
  let same = last !== undefined && last.ins.length === ins.length;
  for (let j = 0; same && j < ins.length; j++) {
    const a = layouts?.[j]?.shape ?? ins[j]!.shape;
    const b = last!.ins[j]!;
    same = a === b || shapesEqual(a, b);
  }
  if (same) return last!.out;
  const shapes = ins.map((t, j) => layouts?.[j]?.shape ?? t.shape);
  const now = broadcastShapes("compiled kernel", ...shapes);
  const out = now.length === u.shape.length ? now : u.shape;
  lastShapes.set(u, { ins: shapes, out });
  return out;
}

/** How a unit reads its views: " | x1 = view %5 [16,64] stridedSlice > reshape" per viewed input. */
function viewText(u: Unit & { kind: "fused" | "epilogue" }): string {
  if (!u.views) return "";
  const parts: string[] = [];
  u.views.forEach((v, k) => {
    if (v) parts.push(`x${k} = ${v.chain.map((n) => `${n.op}${attrText(n.attrs)}`).join(" > ")}`);
  });
  return ` | views: ${parts.join(", ")}`;
}

/** An op's attrs as printed after it (" {json}"), empty when there are none. */
function attrText(attrs: unknown): string {
  try {
    const a = JSON.stringify(attrs);
    return a && a !== "{}" && a !== "null" ? ` ${a}` : "";
  } catch {
    return " {...}";
  }
}
