/**
 * `checkParity`: run a function on the reference backend and on each device, record every op's
 * outputs, and name the first op whose outputs differ beyond tolerance on each device: the op,
 * its inputs, the errors, the first differing element and the user's line. Ops are matched by
 * order; ops inside a decomposition are not compared (the optional op itself is).
 */
import type { DType, TypedArray } from "../dtype.js";
import { withDevice } from "../api/device.js";
import { engine } from "../engine/engine.js";
import { tidy } from "../engine/memory.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { listBackends, ready, resolveDevice } from "../engine/registry.js";
import { Tensor } from "../tensor.js";
import { callSite } from "./call-site.js";
import { addWatcher } from "./observer.js";
import { valuesLater } from "./values.js";

/** Options for `checkParity`. */
export interface ParityOptions {
  /** Devices to compare with the reference (default: every registered device that initializes). */
  readonly devices?: readonly string[];
  /** Relative tolerance (default 1e-3): |got - expected| <= atol + rtol * |expected|. */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-4). */
  readonly atol?: number;
  /**
   * Run `fn` once on the reference first, unrecorded (default true), so layers build their
   * weights before the recorded runs and every run runs the same ops.
   */
  readonly warmup?: boolean;
  /** Print the report with console.log (default true). */
  readonly print?: boolean;
}

/** Where a device first parts from the reference. */
export interface Divergence {
  /** Position of the op in the run (0-based, ops the user's code called). */
  readonly index: number;
  readonly op: string;
  readonly inputs: readonly { shape: readonly number[]; dtype: DType }[];
  /** Which output differs, and its shape. */
  readonly output: number;
  readonly outputShape: readonly number[];
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** The first element beyond tolerance: its flat and multi-dimensional index and both values. */
  readonly firstIndex: number;
  readonly firstCoords: readonly number[];
  readonly expected: number;
  readonly actual: number;
  /** Largest error already present in this op's inputs (0: the difference starts at this op). */
  readonly inputError: number;
  /** The user's line that called the op. */
  readonly callSite: string;
  /** Set when the device ran a different op here (the sequences part ways). */
  readonly sequence?: string;
}

/** One device compared with the reference. */
export interface DeviceParity {
  readonly device: string;
  readonly ops: number;
  /** Largest absolute error over all compared outputs (up to the divergence). */
  readonly maxAbsError: number;
  readonly divergence: Divergence | null;
  /** Why the device was not compared (it failed to initialize). */
  readonly skipped?: string;
}

/** What `checkParity` found. */
export interface ParityReport {
  readonly reference: string;
  readonly ops: number;
  readonly devices: readonly DeviceParity[];
  /** True when every compared device agrees on every op. */
  readonly ok: boolean;
  toString(): string;
}

interface RecordedOp {
  name: string;
  inputs: { shape: readonly number[]; dtype: DType; from: readonly [number, number] | null }[];
  outputs: { shape: readonly number[]; dtype: DType; values: Promise<TypedArray> }[];
  site: string;
}

/** Run `fn` on `device`, recording every user-level op and its outputs' values. */
async function record(device: string, fn: (...a: any[]) => unknown, hostArgs: readonly unknown[], watch = true): Promise<RecordedOp[]> {
  const ops: RecordedOp[] = [];
  const producer = new Map<number, readonly [number, number]>();
  const seed = engine.randomSeed;
  const counter = engine.randomCounter;
  const stop = !watch ? () => undefined : addWatcher({
    after(op) {
      if (op.depth > 0) return;
      const index = ops.length;
      ops.push({
        name: op.name,
        inputs: op.inputs.map((t) => ({ shape: t.shape, dtype: t.dtype, from: producer.get(t.id) ?? null })),
        outputs: op.outputs.map((t, j) => {
          producer.set(t.id, [index, j]);
          return { shape: t.shape, dtype: t.dtype, values: valuesLater(t) };
        }),
        site: callSite(),
      });
    },
  });
  const asSource = engine.compiledAsSource;
  engine.compiledAsSource = true; // compiled functions run their unfused program, op by op
  try {
    await withDevice(device, () =>
      tidy(async () => {
        const args = hostArgs.map((a) => (a instanceof HostTensor ? tensorFromHost(a.values, a.shape, a.dtype, { name: resolveDevice(device), placed: true }) : a));
        await fn(...args);
      }),
    );
  } finally {
    stop();
    engine.compiledAsSource = asSource;
    engine.randomSeed = seed;
    engine.randomCounter = counter;
  }
  return ops;
}

class HostTensor {
  constructor(
    readonly values: TypedArray,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}
}

function coords(flat: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return out;
}

interface Comparison {
  maxAbs: number;
  maxRel: number;
  first: number;
}

function compare(got: TypedArray, want: TypedArray, rtol: number, atol: number): Comparison {
  let maxAbs = 0;
  let maxRel = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Number(want[i]);
    const a = Number(got[i]);
    if (Object.is(a, e) || (a !== a && e !== e)) continue;
    const err = Number.isFinite(a - e) ? Math.abs(a - e) : Infinity;
    const rel = err / Math.max(Math.abs(e), Number.MIN_VALUE);
    if (err > maxAbs) maxAbs = err;
    if (e !== 0 && rel > maxRel) maxRel = rel;
    if (first < 0 && !(err <= atol + rtol * Math.abs(e))) first = i;
  }
  return { maxAbs, maxRel, first };
}

async function compareRuns(device: string, ref: RecordedOp[], dev: RecordedOp[], rtol: number, atol: number): Promise<DeviceParity> {
  const errors = new Map<string, number>();
  let maxAbsError = 0;
  const n = Math.min(ref.length, dev.length);
  for (let k = 0; k < n; k++) {
    const r = ref[k]!;
    const d = dev[k]!;
    const inputError = Math.max(0, ...d.inputs.map((i) => (i.from ? (errors.get(`${i.from[0]}:${i.from[1]}`) ?? 0) : 0)));
    const base = { index: k, op: d.name, inputs: d.inputs.map(({ shape, dtype }) => ({ shape, dtype })), inputError, callSite: d.site };
    if (r.name !== d.name || r.outputs.length !== d.outputs.length) {
      const sequence = `the reference ran ${r.name} here, "${device}" ran ${d.name}`;
      return { device, ops: dev.length, maxAbsError, divergence: { ...base, output: 0, outputShape: d.outputs[0]?.shape ?? [], maxAbsError: NaN, maxRelError: NaN, firstIndex: -1, firstCoords: [], expected: NaN, actual: NaN, sequence } };
    }
    for (let j = 0; j < r.outputs.length; j++) {
      const want = await r.outputs[j]!.values;
      const got = await d.outputs[j]!.values;
      const c = compare(got, want, rtol, atol);
      errors.set(`${k}:${j}`, c.maxAbs);
      if (c.first < 0) {
        if (c.maxAbs > maxAbsError) maxAbsError = c.maxAbs;
        continue;
      }
      const shape = d.outputs[j]!.shape;
      return {
        device, ops: dev.length, maxAbsError,
        divergence: { ...base, output: j, outputShape: shape, maxAbsError: c.maxAbs, maxRelError: c.maxRel, firstIndex: c.first, firstCoords: coords(c.first, shape), expected: Number(want[c.first]), actual: Number(got[c.first]) },
      };
    }
  }
  if (ref.length !== dev.length) {
    const k = n;
    const d = dev[k] ?? ref[k]!;
    const sequence = `the reference ran ${ref.length} ops, "${device}" ran ${dev.length}`;
    return { device, ops: dev.length, maxAbsError, divergence: { index: k, op: d.name, inputs: d.inputs.map(({ shape, dtype }) => ({ shape, dtype })), output: 0, outputShape: [], maxAbsError: NaN, maxRelError: NaN, firstIndex: -1, firstCoords: [], expected: NaN, actual: NaN, inputError: 0, callSite: d.site, sequence } };
  }
  return { device, ops: dev.length, maxAbsError, divergence: null };
}

const fmt = (x: number) => (x === 0 ? "0" : !Number.isFinite(x) ? String(x) : Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3));

/** A value as float32 shows it (8 significant digits). */
const value = (x: number) => String(Number.isFinite(x) ? Number(x.toPrecision(8)) : x);

function formatReport(r: Omit<ParityReport, "toString">, rtol: number, atol: number): string {
  const lines = [`checkParity: ${r.ops} ops on "${r.reference}" (rtol ${rtol}, atol ${atol})`];
  for (const d of r.devices) {
    if (d.skipped) {
      lines.push(`  ${d.device}: skipped (${d.skipped})`);
      continue;
    }
    const v = d.divergence;
    if (!v) {
      lines.push(`  ${d.device}: all ${d.ops} ops agree (max abs error ${fmt(d.maxAbsError)})`);
      continue;
    }
    lines.push(`  ${d.device}: first divergence at op #${v.index} ${v.op}, called at ${v.callSite}`);
    lines.push(`    inputs: ${v.inputs.map((i) => `${i.dtype}[${i.shape.join(",")}]`).join(", ") || "none"}`);
    if (v.sequence) {
      lines.push(`    the op sequences part here: ${v.sequence}`);
      continue;
    }
    lines.push(
      `    output ${v.output} [${v.outputShape.join(",")}]: max abs error ${fmt(v.maxAbsError)}, max rel error ${fmt(v.maxRelError)}; ` +
        `first at [${v.firstCoords.join(",")}] (flat ${v.firstIndex}): expected ${value(v.expected)}, got ${value(v.actual)}`,
    );
    lines.push(v.inputError > 0 ? `    its inputs already differed by up to ${fmt(v.inputError)} (within tolerance)` : `    its inputs were identical to the reference's: the difference starts at this op`);
  }
  return lines.join("\n");
}

/**
 * Run `fn(...args)` on the reference backend and on each device, and report the first op
 * whose outputs differ beyond tolerance on each device (or that all agree). Tensor arguments
 * are copied to each device; other arguments (models, numbers) are passed as they are. `fn`
 * may compute gradients and call layers; it should not change state that a second run would
 * see (apply no optimizer step). Random ops see the same random state on every run.
 * @example const report = await tf.checkParity((x) => model.apply(x), [batch], { devices: ["webgpu"] });
 */
export async function checkParity(fn: (...args: any[]) => unknown, args: readonly unknown[] = [], options: ParityOptions = {}): Promise<ParityReport> {
  const rtol = options.rtol ?? 1e-3;
  const atol = options.atol ?? 1e-4;
  const hostArgs = await Promise.all(args.map(async (a) => (a instanceof Tensor ? new HostTensor(await a.data(), a.shape, a.dtype) : a)));
  const names = options.devices ?? listBackends().filter((n) => n !== "reference");
  // A first, unrecorded run builds layers' weights, so every recorded run runs the same ops.
  if (options.warmup !== false) await record("reference", fn, hostArgs, false);
  const ref = await record("reference", fn, hostArgs);
  const devices: DeviceParity[] = [];
  for (const name of names) {
    try {
      await ready(resolveDevice(name));
    } catch (e) {
      if (options.devices) throw e;
      devices.push({ device: name, ops: 0, maxAbsError: 0, divergence: null, skipped: (e as Error).message.split("\n")[0] });
      continue;
    }
    const dev = await record(name, fn, hostArgs);
    devices.push(await compareRuns(resolveDevice(name), ref, dev, rtol, atol));
  }
  const body = { reference: "reference", ops: ref.length, devices, ok: devices.every((d) => d.skipped || !d.divergence) };
  const text = formatReport(body, rtol, atol);
  const report: ParityReport = { ...body, toString: () => text };
  if (options.print !== false) console.log(text);
  return report;
}
