/**
 * The conformance suite: every op of the table, over its declared cases and generated shape
 * classes, in every dtype the device declares, run on the device through the public op path
 * and compared with the reference backend (the oracle, in float64). Runner-agnostic: the
 * caller passes `describe` and `it`; nothing here needs Node.
 */
import * as core from "@eager/core";
import { memory, setFallbackPolicy, getFallbackPolicy, resolveDevice, tensor, withDevice, type Tensor } from "@eager/core";
import { DTYPES, decomposeAlways, getBackend, isRequired, opTable, runOp, type Backend, type DType, type OpDef, type OpName, type TypedArray } from "@eager/core/backend";
import { caseTemplates, expandDTypes, inferOutputs, type Layout, type PlannedCase } from "./cases.js";
import { compareValues, DEFAULT_TOLERANCES, type Tolerance } from "./compare.js";
import { inputValues, seededRandom, type Random } from "./values.js";

/** What a runner passes to a test function; `skip` (vitest) lets a test skip itself with a reason. */
export interface TestContext {
  skip?(note?: string): void;
}

/** A test-registering function with `skip` (and, where the runner has it, `fails`). */
export interface TestFn {
  (name: string, fn: (ctx?: TestContext) => unknown): void;
  skip(name: string, fn?: () => unknown): void;
  /** Registers a test that must fail (vitest's `it.fails`); without it, known failures are skipped. */
  fails?(name: string, fn: () => unknown): void;
}

/** The runner functions the suite registers its tests with (vitest, jest, mocha style). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it: TestFn;
}

/** A case expected to fail on this device, with the reason (a named bug). */
export interface KnownFailure {
  readonly op: string;
  /** Which cases of the op (default: all). */
  readonly when?: (c: PlannedCase) => boolean;
  readonly reason: string;
}

/** What `afterRun` sees: one case's device outputs, before they are disposed. */
export interface CaseRun {
  readonly op: string;
  readonly case: PlannedCase;
  /** The canonical backend name the case ran on. */
  readonly device: string;
  readonly outputs: readonly Tensor[];
}

/** Options of `conformanceSuite`. */
export interface ConformanceOptions extends TestApi {
  /** The device under test: a backend name or an alias ("cpu", "gpu"). Must be initialized (`await ready(device)`). */
  readonly device: string;
  /** Compare values with the oracle (default true). False for backends that compute nothing. */
  readonly compareValues?: boolean;
  /** Only these ops (default: the whole table). */
  readonly ops?: readonly string[];
  readonly knownFailures?: readonly KnownFailure[];
  /** Per-dtype tolerances replacing the defaults. */
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  /** Dtypes under test (default: all the device declares); cases needing others are skipped. */
  readonly dtypes?: readonly DType[];
  /** Elements of the large shape class (default 100003; 0 leaves it out). */
  readonly largeSize?: number;
  /** Called after each case ran on the device, e.g. to inspect what a recording backend saw. */
  readonly afterRun?: (run: CaseRun) => void | Promise<void>;
}

type TransposeFn = (x: Tensor, perm: number[]) => Tensor;
type SliceFn = (x: Tensor, begin: number[], size: number[]) => Tensor;
const api = core as unknown as Record<string, unknown>;
const publicTranspose = (): TransposeFn | null => (typeof api["transpose"] === "function" ? (api["transpose"] as TransposeFn) : null);
const publicSlice = (): SliceFn | null => (typeof api["slice"] === "function" ? (api["slice"] as SliceFn) : null);

/** Primitives the public `slice` may run on. */
const SLICE_PRIMITIVES = ["slice", "stridedSlice"];
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const ORACLE = "reference";

/** The dtypes `backend` runs `op` in: its per-op limit, else its declared dtypes. */
export function allowedDTypes(backend: Backend<any>, op: string): readonly DType[] {
  return (backend.kernelDTypes as Record<string, readonly DType[]> | undefined)?.[op] ?? backend.capabilities.dtypes;
}

/** Why `backend` cannot run case `c` without falling back, or null when it can. */
export function unsupportedReason(backend: Backend<any>, def: OpDef<unknown>, c: PlannedCase): string | null {
  const allowed = allowedDTypes(backend, def.name);
  for (const d of [...c.inputDTypes, ...c.promotedDTypes, ...c.outputs.map((o) => o.dtype)]) {
    if (!backend.capabilities.dtypes.includes(d)) return `device lacks ${d}`;
    if (!allowed.includes(d)) return `device declares no ${d} for ${def.name}`;
  }
  if (c.inputDTypes.some((d, i) => d !== c.promotedDTypes[i])) {
    if (!("cast" in backend.kernels)) return "device has no cast kernel (needed for promotion)";
    const castAllowed = allowedDTypes(backend, "cast");
    for (const d of [...c.inputDTypes, ...c.promotedDTypes]) if (!castAllowed.includes(d)) return `device declares no ${d} for cast (needed for promotion)`;
  }
  if (c.layouts.includes("transposed")) {
    if (!publicTranspose() || !("transpose" in opTable)) return "non-contiguous inputs need the transpose op, which the op table does not have";
    if (!("transpose" in backend.kernels)) return "device has no transpose kernel (needed for non-contiguous inputs)";
  }
  if (c.layouts.includes("sliced")) {
    const primitives = SLICE_PRIMITIVES.filter((p) => p in opTable);
    if (!publicSlice() || primitives.length === 0) return "non-contiguous inputs need the slice op, which the op table does not have";
    const missing = primitives.find((p) => !(p in backend.kernels));
    if (missing) return `device has no ${missing} kernel (needed for non-contiguous inputs)`;
  }
  return null;
}

/** Attrs for the float64 oracle: a float32 `dtype` attr becomes float64. */
export function oracleAttrs(attrs: unknown): unknown {
  if (attrs && typeof attrs === "object" && (attrs as { dtype?: unknown }).dtype === "float32") return { ...(attrs as object), dtype: "float64" };
  return attrs;
}

/** Swap the last two axes of row-major `v` with shape `s` (rank >= 2). */
function swapLastTwo(v: TypedArray, s: readonly number[]): TypedArray {
  const r = s.length;
  const rows = s[r - 2]!;
  const cols = s[r - 1]!;
  const out = v.slice();
  const mat = rows * cols;
  for (let b = 0; b < v.length; b += mat) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[b + j * rows + i] = v[b + i * cols + j]!;
  return out;
}

/** A tensor on the current device holding `values` with `shape`, produced as `layout` asks. */
function makeInput(values: TypedArray, shape: readonly number[], dtype: DType, layout: Layout, def: OpDef<unknown>, index: number, rng: Random): Tensor {
  if (layout === "transposed") {
    const r = shape.length;
    const swapped = [...shape.slice(0, -2), shape[r - 1]!, shape[r - 2]!];
    const big = tensor(swapLastTwo(values, shape), swapped, dtype);
    const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    try {
      return publicTranspose()!(big, perm);
    } finally {
      big.dispose();
    }
  }
  if (layout === "sliced") {
    const bigShape = shape.map((d) => d + 2);
    const bigValues = inputValues(def, index, sizeOf(bigShape), dtype, rng);
    const inner = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
    const outer = bigShape.map((_, i) => sizeOf(bigShape.slice(i + 1)));
    for (let k = 0; k < values.length; k++) {
      let off = 0;
      for (let d = 0; d < shape.length; d++) off += (Math.floor(k / inner[d]!) % shape[d]! + 1) * outer[d]!;
      bigValues[off] = values[k]!;
    }
    const big = tensor(bigValues, bigShape, dtype);
    try {
      return publicSlice()!(big, shape.map(() => 1), [...shape]);
    } finally {
      big.dispose();
    }
  }
  return tensor(values, [...shape], dtype);
}

function check(cond: boolean, message: () => string): void {
  if (!cond) throw new Error(message());
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** How much the absolute tolerance grows for ops that accumulate many terms. */
function accumulationScale(def: OpDef<unknown>, c: PlannedCase): number {
  if (def.family === "reduce" || def.family === "scan" || def.family === "linalg" || def.family === "conv")
    return Math.max(1, Math.sqrt(c.shapes.reduce((a, s) => a + sizeOf(s), 0)));
  return 1;
}

interface SuiteContext {
  readonly device: string;
  /** True when the backend declares only part of the table (`capabilities.ops`). */
  readonly partial: boolean;
  readonly backend: Backend<any>;
  readonly values: boolean;
  readonly tolerances: Record<DType, Tolerance>;
  readonly afterRun?: (run: CaseRun) => void | Promise<void>;
}

/**
 * Run one planned case on the device and on the oracle and compare: output count, shapes,
 * dtypes and device against `infer`, values within tolerance, errors on both or neither, and
 * live tensors and bytes back to where they started.
 */
async function runCase(ctx: SuiteContext, def: OpDef<unknown>, c: PlannedCase, mode: RunMode = "op", test?: TestContext): Promise<void> {
  const before = memory();
  const created: Tensor[] = [];
  const rng = seededRandom(`${def.name} ${c.label}`);
  const values = c.shapes.map((s, i) => inputValues(def, i, sizeOf(s), c.inputDTypes[i]!, rng));
  const name = def.name as OpName;
  try {
    const inputs = withDevice(ctx.device, () => c.shapes.map((s, i) => makeInput(values[i]!, s, c.inputDTypes[i]!, c.layouts[i]!, def, i, rng)));
    created.push(...inputs);
    inputs.forEach((t, i) => {
      check(sameShape(t.shape, c.shapes[i]!) && t.dtype === c.inputDTypes[i], () => `input ${i} was built as ${t.dtype}[${t.shape}]`);
    });
    let outputs: Tensor[] | null = null;
    let deviceError: unknown = null;
    const policy = getFallbackPolicy();
    // A partial backend's decomposition may need ops it does not declare: let those fall back, so
    // its fast kernel is still checked against the decomposition (whose pieces then run elsewhere).
    const elsewhere = mode === "decomposition" && ctx.partial;
    setFallbackPolicy(elsewhere ? "auto" : "error");
    const onDevice = () => withDevice(ctx.device, () => runOp(name, inputs, c.attrs as never));
    let kernelOutputs: Tensor[] | null = null;
    try {
      outputs = mode === "decomposition" ? decomposeAlways(name, onDevice) : onDevice();
      created.push(...outputs);
      if (mode === "decomposition" && name in ctx.backend.kernels) {
        kernelOutputs = onDevice();
        created.push(...kernelOutputs);
      }
    } catch (e) {
      deviceError = e;
    } finally {
      setFallbackPolicy(policy);
    }
    if (deviceError instanceof core.KernelUnavailableError && ctx.partial && !(name in ctx.backend.kernels) && test?.skip) {
      // A partial backend runs this optional op as its decomposition, which needs a required op it does not declare.
      test.skip(`the decomposition of ${def.name} needs an op the device does not declare: ${(deviceError as Error).message}`);
      return;
    }

    let expected: TypedArray[] | null = null;
    let oracleError: unknown = null;
    if (ctx.values) {
      const oDTypes = c.inputDTypes.map((d) => (d === "float32" ? "float64" : d));
      const oAttrs = oracleAttrs(c.attrs);
      const widened = inferOutputs(def, c.shapes, oDTypes, oAttrs) !== null;
      const oInputs = withDevice(ORACLE, () => c.shapes.map((s, i) => tensor(values[i]!, [...s], widened ? oDTypes[i] : c.inputDTypes[i])));
      created.push(...oInputs);
      try {
        const o = withDevice(ORACLE, () => runOp(name, oInputs, (widened ? oAttrs : c.attrs) as never));
        created.push(...o);
        expected = await Promise.all(o.map((t) => t.data()));
      } catch (e) {
        oracleError = e;
      }
    }
    if (deviceError) {
      if (oracleError) return;
      throw new Error(`${def.name} threw on "${ctx.device}": ${String((deviceError as Error)?.message ?? deviceError)}`);
    }
    check(!oracleError, () => `${def.name} ran on "${ctx.device}" but the reference throws: ${String((oracleError as Error)?.message ?? oracleError)}`);
    const outs = outputs!;
    check(outs.length === c.outputs.length, () => `${outs.length} outputs, infer declares ${c.outputs.length}`);
    outs.forEach((t, i) => {
      const spec = c.outputs[i]!;
      check(sameShape(t.shape, spec.shape), () => `output ${i} has shape [${t.shape}], infer says [${spec.shape}]`);
      check(t.dtype === spec.dtype, () => `output ${i} is ${t.dtype}, infer says ${spec.dtype}`);
      check(elsewhere || t.device === ctx.backend.name, () => `output ${i} is on "${t.device}", not "${ctx.backend.name}"`);
    });
    await ctx.afterRun?.({ op: def.name, case: c, device: ctx.backend.name, outputs: outs });
    if (expected) {
      for (let i = 0; i < outs.length; i++) {
        const actual = await outs[i]!.data();
        const dtype = outs[i]!.dtype;
        const base = ctx.tolerances[dtype];
        const tol = dtype === "float32" && def.test.tolerance !== undefined ? { atol: def.test.tolerance, rtol: base.rtol } : base;
        const decomposed = mode === "decomposition" || (def.decompose !== undefined && !(def.name in ctx.backend.kernels));
        const scaled = decomposed ? decompositionTolerance(def, tol) : tol;
        const msg = compareValues(actual, expected[i]!, dtype, scaled, accumulationScale(def, c));
        const what = mode === "decomposition" ? `${def.name} (as its decomposition)` : def.name;
        check(msg === null, () => `${what} output ${i} on "${ctx.device}" differs from the reference: ${msg}`);
      }
    }
    if (kernelOutputs) {
      // The fast kernel against the decomposition, on the same device.
      for (let i = 0; i < outs.length; i++) {
        const dtype = outs[i]!.dtype;
        const tol = decompositionTolerance(def, ctx.tolerances[dtype]);
        const msg = compareValues(await kernelOutputs[i]!.data(), await outs[i]!.data(), dtype, { atol: 2 * tol.atol, rtol: 2 * tol.rtol }, accumulationScale(def, c));
        check(msg === null, () => `${def.name}: the kernel of "${ctx.device}" differs from the decomposition (output ${i}): ${msg}`);
      }
    }
  } finally {
    for (const t of created) if (!t.isDisposed) t.dispose();
    const after = memory();
    check(after.numTensors === before.numTensors && after.numBytes === before.numBytes, () =>
      `leak: ${after.numTensors - before.numTensors} tensors and ${after.numBytes - before.numBytes} bytes stay live after the case`,
    );
  }
}

/** "op": the op as dispatch runs it; "decomposition": forced through its decomposition (and checked against the kernel, if any). */
type RunMode = "op" | "decomposition";

/**
 * How far a decomposition may be from the reference: the dtype's tolerance times 4 (it
 * rounds once per op it is made of), at least the op's declared bound `decomposeAtol`.
 */
function decompositionTolerance(def: OpDef<unknown>, tol: Tolerance): Tolerance {
  return { atol: Math.max(4 * tol.atol, def.decomposeAtol ?? 0), rtol: 4 * tol.rtol };
}

/**
 * Whether `backend` declares op `name`: a listed op of a partial backend (`capabilities.ops`),
 * else every required op, and any op it has a kernel for.
 */
export function declaresOp(backend: Backend<any>, name: string): boolean {
  const listed = backend.capabilities.ops as readonly string[] | undefined;
  return listed ? listed.includes(name) : isRequired(name) || name in backend.kernels;
}

/** Dtype preference for the large and non-contiguous classes, which run in one dtype only to stay fast. */
const ONE_DTYPE_ORDER: readonly DType[] = ["float32", "float64", "int32", "bool"];

/**
 * Every planned case of one op for `backend`, with the reason for each one it cannot run.
 * `dtypes` limits the dtypes under test; the large and non-contiguous classes run in the
 * first valid dtype of float32, float64, int32, bool.
 */
export function planOp(def: OpDef<unknown>, backend: Backend<any>, options: { largeSize?: number; dtypes?: readonly DType[] } = {}): { runs: PlannedCase[]; skipped: Map<string, number> } {
  const runs: PlannedCase[] = [];
  const skipped = new Map<string, number>();
  const note = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  // An optional op without a kernel runs as its decomposition on the device.
  const hasKernel = def.name in backend.kernels || def.decompose !== undefined;
  for (const t of caseTemplates(def, { largeSize: options.largeSize })) {
    let planned = expandDTypes(def, t, DTYPES);
    if (t.shapeClass === "large" || t.shapeClass === "noncontiguous") {
      const ok = planned.filter((c) => hasKernel && !unsupportedReason(backend, def, c) && (!options.dtypes || c.inputDTypes.every((d) => options.dtypes!.includes(d))));
      const rank = (c: PlannedCase) => Math.min(...c.inputDTypes.map((d) => ONE_DTYPE_ORDER.indexOf(d)));
      planned = ok.sort((a, b) => rank(a) - rank(b)).slice(0, 1);
    }
    for (const c of planned) {
      const excluded = options.dtypes && [...c.inputDTypes, ...c.outputs.map((o) => o.dtype)].find((d) => !options.dtypes!.includes(d));
      const reason = !hasKernel ? `device has no ${def.name} kernel` : excluded ? `${excluded} is not among the dtypes under test` : unsupportedReason(backend, def, c);
      if (reason) note(reason);
      else runs.push(c);
    }
  }
  return { runs, skipped };
}

/**
 * Register the conformance tests for one device: a `describe` per op, an `it` per case and
 * dtype, one skip per op and reason for what the device's capabilities exclude.
 * @example await ready("mine"); conformanceSuite({ device: "mine", describe, it });
 */
export function conformanceSuite(options: ConformanceOptions): void {
  const backend = getBackend(resolveDevice(options.device));
  const tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances } as Record<DType, Tolerance>;
  const partial = backend.capabilities.ops !== undefined;
  const ctx: SuiteContext = { device: options.device, partial, backend, values: options.compareValues ?? true, tolerances, afterRun: options.afterRun };
  const { describe, it } = options;
  const defs = (Object.values(opTable) as unknown as OpDef<unknown>[]).filter((d) => !options.ops || options.ops.includes(d.name));
  describe(`conformance on "${options.device}" (${backend.name})`, () => {
    for (const def of defs) {
      describe(def.name, () => {
        it(`${def.name}: every declared case is valid for some dtype`, () => {
          def.test.cases.forEach((c, i) => {
            const ok = expandDTypes(def, { op: def.name, shapeClass: "case", index: i, shapes: c.shapes, dtypes: c.dtypes, attrs: c.attrs, layouts: c.shapes.map(() => "dense") }, DTYPES);
            check(ok.length > 0, () => `${def.name}: test case ${i} (${JSON.stringify(c)}) is rejected by infer for every dtype`);
          });
        });
        if (!(def.name in backend.kernels) && def.decompose === undefined) {
          // A required op without a kernel: a failure where the device declares it, never a silent skip.
          if (declaresOp(backend, def.name))
            it(`${def.name}: the device declares this required op but has no kernel for it`, () => {
              throw new Error(`"${backend.name}" has no ${def.name} kernel, but ${partial ? "lists it in capabilities.ops" : "declares every required op (no capabilities.ops)"}`);
            });
          else it.skip(`${def.name}: not declared by the device (capabilities.ops); it falls back`, () => undefined);
          return;
        }
        const { runs, skipped } = planOp(def, backend, { largeSize: options.largeSize, dtypes: options.dtypes });
        for (const c of runs) {
          const known = options.knownFailures?.find((k) => k.op === def.name && (!k.when || k.when(c)));
          const modes: RunMode[] = def.decompose !== undefined && def.name in backend.kernels && c.shapeClass !== "large" ? ["op", "decomposition"] : ["op"];
          for (const mode of modes) {
            const how = mode === "op" ? (def.name in backend.kernels ? "" : " (as its decomposition: no kernel)") : " (decomposition, and the kernel against it)";
            const title = `${def.name} ${c.label}${how}`;
            const fn = (test?: TestContext) => runCase(ctx, def, c, mode, test);
            if (!known) it(title, fn);
            else if (it.fails) it.fails(`${title} (known failure: ${known.reason})`, fn);
            else it.skip(`${title} (known failure: ${known.reason})`, fn);
          }
        }
        for (const [reason, n] of skipped) it.skip(`${def.name}: ${n} case${n === 1 ? "" : "s"} skipped: ${reason}`, () => undefined);
      });
    }
  });
}
