/**
 * Fused elementwise kernels: a compiled program's fused expression becomes one wasm function
 * (the same generator as the per-op kernels, over the whole expression), assembled into a small
 * module that imports the backend's memory and runs across the thread pool (each worker
 * instantiates it once, from its bytes in the shared memory). Expressions without a wasm form,
 * and modules a browser's main thread will not compile synchronously (over 4 KiB), are
 * declined: core then runs the ops one by one. Inputs may be strided views whose inner run steps
 * by 0 or 1 element (other views are declined).
 */
import { bytesPerElement, ir, shapesEqual, viewBroadcastStrides, type Expr, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { elementwiseFunc, type ElementwiseExport } from "../wasm/elementwise-wat.js";
import { fusedModule } from "../wasm/fused-module.js";
import { assembleSync } from "../wasm/module.js";
import type { CpuContext } from "./context.js";
import { stridePlan } from "./elementwise.js";

type T = KernelTensor<CpuBuffer>;
type Fn = (...a: number[]) => unknown;

const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);

/** The byte address of a kernel input's first element (a view's offset included). */
export function viewPointer(t: T): number {
  return t.data.offset + (t.offset ?? 0) * bytesPerElement(t.dtype);
}

/**
 * Whether each input, broadcast over `out`, steps by 0 or 1 element along out's last axis longer
 * than 1 (the inner run of every plan: the kernels know only those two patterns). Contiguous
 * inputs always do; a view may not.
 */
export function viewsLoadable(inputs: readonly T[], out: readonly number[]): boolean {
  let last = out.length - 1;
  while (last >= 0 && out[last] === 1) last--;
  if (last < 0) return true;
  for (const t of inputs) {
    if (!t.strides) continue;
    const s = viewBroadcastStrides(t, out)[last]!;
    if (s !== 0 && s !== 1) return false;
  }
  return true;
}

/** Whether every input steps by 0 or 1 element along the plan's inner run (the kernels' only two patterns). */
function innerUnit(plan: { inner: readonly number[] } | null): boolean {
  return plan === null || plan.inner.every((s) => s === 0 || s === 1);
}

/** A kernel of one expression for one list of input dtypes and pattern of advancing inputs. */
interface FusedEntry {
  readonly dtypes: readonly string[];
  readonly advancing: readonly boolean[];
  readonly key: string;
  readonly c: { fn: Fn; binary: Uint8Array } | null;
}

/** Each expression's text, printed once (a compiled program runs the same expression objects on every call). */
const printed = new WeakMap<Expr, string>();

/** Fused kernels of one backend, compiled on first use per expression and input dtypes. */
export class FusedKernels {
  private readonly cache = new Map<string, { fn: Fn; binary: Uint8Array } | null>();
  private readonly byExpr = new WeakMap<Expr, FusedEntry[]>();
  /** Kernels compiled so far (for reports and tests). */
  compiled = 0;
  constructor(private readonly ctx: CpuContext) {}

  private build(expr: Expr, inputs: readonly T[], advancing: readonly boolean[]): { fn: Fn; binary: Uint8Array } | null {
    const dtypes = inputs.map((t) => t.dtype as ir.IrDType);
    const k: ElementwiseExport = { name: "fused", op: "fused", dtypes, statics: {}, expr: ir.expandFloat32(expr, NATIVE), attrs: [], advancing };
    const text = elementwiseFunc(k);
    if (text === null) return null;
    const shared = this.ctx.memory.buffer instanceof SharedArrayBuffer;
    let built: ReturnType<typeof assembleSync>;
    let instance: WebAssembly.Instance;
    try {
      built = assembleSync(fusedModule(text, shared));
      if (built === null) return null;
      instance = new WebAssembly.Instance(built.module, { env: { memory: this.ctx.memory } });
    } catch (e) {
      // Browsers refuse synchronous compilation of modules over 4 KiB on the main thread.
      if (e instanceof RangeError) return null;
      throw e;
    }
    this.compiled++;
    return { fn: instance.exports["fused"] as Fn, binary: built.binary };
  }

  /** The kernel entry of `expr` for these inputs' dtypes and broadcast pattern (built on first use). */
  private entry(expr: Expr, inputs: readonly T[], y: T): { found: FusedEntry; plan: ReturnType<typeof stridePlan> | null } {
    const n = y.size;
    const k = inputs.length;
    let flat = true;
    for (let i = 0; i < k && flat; i++) flat = (inputs[i]!.size === n || inputs[i]!.size === 1) && !inputs[i]!.strides;
    const plan = flat ? null : stridePlan(inputs.map((t) => viewBroadcastStrides(t, y.shape)), y.shape);
    // Each kernel is built for one pattern of inputs that advance along the inner dimension;
    // a compiled program calls the same expression object with the same dtypes and pattern
    // every time, so the entries of the expression are compared without building a key.
    const advances = (i: number): boolean => (plan ? plan.inner[i] !== 0 : inputs[i]!.size === n);
    let entries = this.byExpr.get(expr);
    if (!entries) this.byExpr.set(expr, (entries = []));
    let found: FusedEntry | undefined;
    for (const e of entries) {
      let same = true;
      for (let i = 0; i < k && same; i++) same = e.dtypes[i] === inputs[i]!.dtype && e.advancing[i] === advances(i);
      if (same) {
        found = e;
        break;
      }
    }
    if (!found) {
      const advancing = inputs.map((_, i) => advances(i));
      let text = printed.get(expr);
      if (text === undefined) printed.set(expr, (text = ir.printExpr(expr)));
      const key = `${inputs.map((t) => t.dtype).join(",")}|${advancing.map(Number).join("")}|${text}`;
      let built = this.cache.get(key);
      if (built === undefined) this.cache.set(key, (built = this.build(expr, inputs, advancing)));
      entries.push((found = { dtypes: inputs.map((t) => t.dtype), advancing, key, c: built }));
    }
    return { found, plan };
  }

  /** Whether `run` would take `expr` over these inputs (it has a wasm form); builds the kernel. */
  has(expr: Expr, inputs: readonly T[], y: T): boolean {
    const { found, plan } = this.entry(expr, inputs, y);
    return found.c !== null && innerUnit(plan);
  }

  /** The last call's layout per expression: a compiled program calls each expression with the same shapes every time. */
  private readonly prepared = new WeakMap<Expr, Prepared>();

  /** The call's kernel, plan and argument template: the last one of `expr` when the inputs are laid out as then. */
  private prepare(expr: Expr, inputs: readonly T[], y: T): Prepared | null {
    const last = this.prepared.get(expr);
    if (last && sameLayout(last, inputs, y)) return last;
    const n = y.size;
    const k = inputs.length;
    const { found, plan } = this.entry(expr, inputs, y);
    if (found.c === null || !innerUnit(plan)) return null;
    const { per, chunks, parallel } = this.ctx.chunking(n, this.ctx.thresholds.elementwise);
    // Arguments: pointers, y, table, outer count, row length, inner strides, n, per, chunk.
    const args: number[] = new Array(2 * k + 7).fill(0);
    if (plan) {
      args[k + 2] = plan.outer.length / (k + 1);
      args[k + 3] = plan.len;
      for (let i = 0; i < k; i++) args[k + 4 + i] = plan.inner[i]!;
    } else {
      args[k + 3] = n;
      for (let i = 0; i < k; i++) args[k + 4 + i] = inputs[i]!.size === n ? 1 : 0;
    }
    args[2 * k + 4] = n;
    args[2 * k + 5] = per;
    const p: Prepared = {
      shapes: inputs.map((t) => t.shape),
      strides: inputs.map((t) => t.strides),
      dtypes: inputs.map((t) => t.dtype),
      yShape: y.shape,
      c: found.c,
      key: found.key,
      outer: plan ? plan.outer : null,
      chunks,
      parallel,
      args,
    };
    this.prepared.set(expr, p);
    return p;
  }

  /** Run `expr` over `inputs` into `y`; false when it has no wasm form. */
  run(expr: Expr, inputs: readonly T[], y: T): boolean {
    const p = this.prepare(expr, inputs, y);
    if (p === null) return false;
    const k = inputs.length;
    const a = p.args;
    for (let i = 0; i < k; i++) a[i] = viewPointer(inputs[i]!);
    a[k] = y.data.offset;
    const tab = p.outer ? this.ctx.writeInts(p.outer) : null;
    a[k + 1] = tab ? tab.offset : 0;
    const c = p.c;
    try {
      if (!(p.parallel && p.chunks > 1 && this.ctx.runExtra(p.key, c.binary, c.fn, a.slice(0, 2 * k + 6), p.chunks))) {
        for (let ch = 0; ch < p.chunks; ch++) {
          a[2 * k + 6] = ch;
          c.fn(...a);
        }
      }
    } finally {
      if (tab) this.ctx.releaseInts(tab);
    }
    return true;
  }
}

/** A prepared call: the layout it was made for, its kernel, its stride table and its argument template (pointers filled per call). */
interface Prepared {
  readonly shapes: readonly (readonly number[])[];
  readonly strides: readonly (readonly number[] | undefined)[];
  readonly dtypes: readonly string[];
  readonly yShape: readonly number[];
  readonly c: { fn: Fn; binary: Uint8Array };
  readonly key: string;
  readonly outer: readonly number[] | null;
  readonly chunks: number;
  readonly parallel: boolean;
  readonly args: number[];
}

/** Equal lists, or both absent (a contiguous input has no strides). */
const sameList = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean => a === b || (a !== undefined && b !== undefined && shapesEqual(a, b));

/** Whether `inputs` and `y` have the shapes, strides and dtypes `p` was prepared for (offsets may differ). */
function sameLayout(p: Prepared, inputs: readonly T[], y: T): boolean {
  if (p.shapes.length !== inputs.length || !sameList(p.yShape, y.shape)) return false;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t.dtype !== p.dtypes[i] || !sameList(p.shapes[i], t.shape) || !sameList(p.strides[i], t.strides)) return false;
  }
  return true;
}
