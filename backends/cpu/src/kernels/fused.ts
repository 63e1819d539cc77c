/**
 * Fused elementwise kernels: a compiled program's fused expression becomes one wasm function
 * (the same generator as the per-op kernels, over the whole expression), assembled into a small
 * module that imports the backend's memory and runs across the thread pool (each worker
 * instantiates it once, from its bytes in the shared memory). Expressions without a wasm form,
 * and modules a browser's main thread will not compile synchronously (over 4 KiB), are
 * declined: core then runs the ops one by one.
 */
import { ir, type Expr, type KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { elementwiseFunc, type ElementwiseExport } from "../wasm/elementwise-wat.js";
import { assembleSync, MAX_PAGES } from "../wasm/module.js";
import type { CpuContext } from "./context.js";
import { broadcastPlan } from "./elementwise.js";

type T = KernelTensor<CpuBuffer>;
type Fn = (...a: number[]) => unknown;

const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);

/** Each expression's text, printed once (a compiled program runs the same expression objects on every call). */
const printed = new WeakMap<Expr, string>();

/** Fused kernels of one backend, compiled on first use per expression and input dtypes. */
export class FusedKernels {
  private readonly cache = new Map<string, { fn: Fn; binary: Uint8Array } | null>();
  private readonly byExpr = new WeakMap<Expr, Map<string, { key: string; c: { fn: Fn; binary: Uint8Array } | null }>>();
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
      built = assembleSync(`(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))\n${text}\n)`);
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

  /** Run `expr` over `inputs` into `y`; false when it has no wasm form. */
  run(expr: Expr, inputs: readonly T[], y: T): boolean {
    const n = y.size;
    const flat = inputs.every((t) => t.size === n || t.size === 1);
    const plan = flat ? null : broadcastPlan(inputs.map((t) => t.shape), y.shape);
    // Each kernel is built for one pattern of inputs that advance along the inner dimension.
    const advancing = plan ? plan.inner.map((s) => s !== 0) : inputs.map((t) => t.size === n);
    // Kernels by expression object, then by input dtypes and pattern (a short key per call).
    let byExpr = this.byExpr.get(expr);
    if (!byExpr) this.byExpr.set(expr, (byExpr = new Map()));
    const local = `${inputs.map((t) => t.dtype).join(",")}|${advancing.map(Number).join("")}`;
    let found = byExpr.get(local);
    if (found === undefined) {
      let text = printed.get(expr);
      if (text === undefined) printed.set(expr, (text = ir.printExpr(expr)));
      const key = `${local}|${text}`;
      let built = this.cache.get(key);
      if (built === undefined) this.cache.set(key, (built = this.build(expr, inputs, advancing)));
      byExpr.set(local, (found = { key, c: built }));
    }
    const { key, c } = found;
    if (c === null) return false;
    const ptrs = inputs.map((t) => t.data.offset);
    const { per, chunks, parallel } = this.ctx.chunking(n, this.ctx.thresholds.elementwise);
    const run = (args: number[]): void => {
      if (parallel && chunks > 1 && this.ctx.runExtra(key, c!.binary, c!.fn, args, chunks)) return;
      const a = [...args, 0];
      for (let ch = 0; ch < chunks; ch++) {
        a[args.length] = ch;
        c!.fn(...a);
      }
    };
    if (!plan) {
      run([...ptrs, y.data.offset, 0, 0, n, ...inputs.map((t) => (t.size === n ? 1 : 0)), n, per]);
      return true;
    }
    const tab = this.ctx.writeInts(plan.outer);
    try {
      run([...ptrs, y.data.offset, tab.offset, plan.outer.length / (inputs.length + 1), plan.len, ...plan.inner, n, per]);
    } finally {
      this.ctx.releaseInts(tab);
    }
    return true;
  }
}
