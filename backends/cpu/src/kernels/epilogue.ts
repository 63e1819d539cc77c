/**
 * Epilogue kernels: a head op and its elementwise tail in one backend call. A float32 matmul,
 * a sum (float32, float64, int32), a mean (float32, float64: the sum's chunk, then the tail
 * reading sum / n) and a float32 max run in a module built per head and tail
 * (wasm/epilogue-wat.ts) whose every chunk runs the prebuilt head kernel's chunk (imported, so
 * results equal the plain op's) and then the tail over the outputs that chunk just wrote, in the
 * same worker while they are in cache; a matmul with N not a multiple of 8 reads its padded
 * scratch C directly. A float32 conv2d on its im2col or pointwise path runs its matmuls that
 * way when the extras vary only along the channels. Other cases (Winograd convolutions,
 * sums split into row segments, dtypes the wasm heads lack) run the head's kernel into the
 * output, then the tail in place over it.
 */
import { ir, shapesEqual, stridesOf, viewBroadcastStrides, type Attrs, type Expr, type Kernel, type KernelTensor, type ResolvedOp } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { elementwiseFunc } from "../wasm/elementwise-wat.js";
import { epilogueModule, rowsDriver, tileDriver } from "../wasm/epilogue-wat.js";
import { assembleSync, MAX_PAGES } from "../wasm/module.js";
import type { CpuContext } from "./context.js";
import { stridePlan } from "./elementwise.js";
import { viewPointer, viewsLoadable, type FusedKernels } from "./fused.js";
import { conv2dF32 } from "./conv.js";
import { matmulF32, type TileTarget } from "./matmul.js";
import { extremumRowsCall, sumRowsCall, type RowsCall } from "./reduce.js";

type T = KernelTensor<CpuBuffer>;
type Fn = (...a: number[]) => unknown;
/** A compiled module: its driver on this thread, its bytes (for the workers) and its cache key. */
type Built = { fn: Fn; binary: Uint8Array; key: string };
type MatmulAttrs = { transposeA: boolean; transposeB: boolean };

const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);
/** Each tail expression's text, printed once (a compiled program passes the same expression objects on every call). */
const printed = new WeakMap<Expr, string>();
/** Inputs of a tail (the head's value and the extras) that still get a module of their own. */
const MAX_TAIL_INPUTS = 6;


/** `expr` reading its input 0 divided by `n` (a mean from its sum), rounded where the mean would be stored. */
function divided(expr: Expr, n: number, dtype: ir.IrDType): Expr {
  return ir.rewrite(expr, (e) => {
    if (e.op !== "input" || e.index !== 0) return e;
    const q = ir.node("div", dtype, [e, ir.constant(n, dtype)]);
    return dtype === "float32" ? ir.node("cast", "float32", [q]) : q;
  });
}

/** Epilogue kernels of one backend; modules compiled on first use per head kernel, tail and dtypes. */
export class EpilogueKernels {
  private readonly cache = new Map<string, Built | null>();
  /** Modules by expression object, then head and dtypes. */
  private readonly byExpr = new WeakMap<Expr, Map<string, Built | null>>();
  /** Each module's last stride plan and the layout it was made for. */
  private readonly plans = new WeakMap<Built, { cStrides: readonly number[]; yShape: readonly number[]; extras: { shape: readonly number[]; strides?: readonly number[] }[]; plan: ReturnType<typeof stridePlan> }>();
  /** Calls that ran with the tail applied per chunk of the head, by head op (for tests and reports). */
  readonly fusedRuns: Record<string, number> = { matmul: 0, conv2d: 0, sum: 0, mean: 0, max: 0 };
  constructor(
    private readonly ctx: CpuContext,
    private readonly fused: FusedKernels,
    private readonly kernels: Readonly<Record<string, Kernel<any, CpuBuffer> | undefined>>,
  ) {}

  /** `Backend.fusedEpilogue`: false (nothing left to undo) when neither form applies. */
  run(head: ResolvedOp<unknown, CpuBuffer>, expr: Expr, extras: readonly T[], y: T): boolean {
    const name = head.def.name;
    if (!viewsLoadable(extras, y.shape)) return false;
    const x = head.inputs[0] as T;
    const axes = (head.attrs as { axes?: readonly number[] }).axes ?? [];
    if (name === "matmul" && this.matmul(head as ResolvedOp<MatmulAttrs, CpuBuffer>, expr, extras, y)) return true;
    if (name === "conv2d" && this.conv(head as ResolvedOp<Attrs<"conv2d">, CpuBuffer>, expr, extras, y)) return true;
    if (name === "sum" && this.rows(name, sumRowsCall(this.ctx, x, y, axes), expr, extras, y)) return true;
    if (name === "mean") {
      const call = sumRowsCall(this.ctx, x, y, axes, true);
      if (call && this.rows(name, call, divided(expr, call.args[2]!, y.dtype as ir.IrDType), extras, y)) return true;
    }
    if (name === "max" && this.rows(name, extremumRowsCall(this.ctx, "max", x, y, axes), expr, extras, y)) return true;
    const kernel = this.kernels[name];
    // Decline before running the head when the tail has no wasm form (core then runs them apart).
    if (!kernel || !this.fused.has(expr, [y, ...extras], y)) return false;
    kernel(head.inputs, head.outputs, head.attrs, head);
    // In place: element i of the tail reads only element i of the head's value.
    return this.fused.run(expr, [y, ...extras], y);
  }

  /** The module for `head` (an export of the prebuilt kernels) with `expr` as its tail, or null. */
  private module(head: { name: string; params: number }, driver: (tailArgs: number) => string, expr: Expr, dtypes: readonly ir.IrDType[]): Built | null {
    // A compiled program passes the same expression objects on every call: look them up by object first.
    const short = `${head.name}|${dtypes.join(",")}`;
    let mine = this.byExpr.get(expr);
    const hit = mine?.get(short);
    if (hit !== undefined) return hit;
    if (!mine) this.byExpr.set(expr, (mine = new Map()));
    const c = this.build(head, driver, expr, dtypes, short);
    mine.set(short, c);
    return c;
  }

  /** The module for a head and tail not seen as this expression object (shared by equal expressions through their text). */
  private build(head: { name: string; params: number }, driver: (tailArgs: number) => string, expr: Expr, dtypes: readonly ir.IrDType[], short: string): Built | null {
    let text = printed.get(expr);
    if (text === undefined) printed.set(expr, (text = ir.printExpr(expr)));
    const key = `${short}|${text}`;
    let c = this.cache.get(key);
    if (c !== undefined) return c;
    c = null;
    // The tail branches at run time over which inputs advance along a row: 2^inputs variants, so few inputs only.
    if (dtypes.length > MAX_TAIL_INPUTS) {
      this.cache.set(key, c);
      return c;
    }
    const tail = elementwiseFunc({ name: "tail", op: "tail", dtypes, statics: {}, expr: ir.expandFloat32(expr, NATIVE), attrs: [], range: true });
    if (tail !== null) {
      const shared = this.ctx.memory.buffer instanceof SharedArrayBuffer;
      try {
        const built = assembleSync(epilogueModule(shared, MAX_PAGES, head, tail, driver(2 * dtypes.length + 5)));
        if (built !== null) {
          const instance = new WebAssembly.Instance(built.module, { env: { memory: this.ctx.memory }, kernels: { [head.name]: this.ctx.fn(head.name) } });
          c = { fn: instance.exports["fused"] as Fn, binary: built.binary, key: `epilogue|${key}` };
        }
      } catch (e) {
        // Browsers refuse synchronous compilation of modules over 4 KiB on the main thread.
        if (!(e instanceof RangeError)) throw e;
      }
    }
    this.cache.set(key, c);
    return c;
  }

  /** float32 matmul with the tail applied per tile; false (nothing run) where it does not apply. */
  private matmul(head: ResolvedOp<MatmulAttrs, CpuBuffer>, expr: Expr, extras: readonly T[], y: T): boolean {
    const [a, b] = head.inputs as [T, T];
    if (a.dtype !== "float32" || b.dtype !== "float32" || y.dtype !== "float32") return false;
    const kd = head.attrs.transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    if (kd === 0) return false;
    const c = this.module({ name: "mm_f32", params: 13 }, tileDriver, expr, [y.dtype, ...extras.map((t) => t.dtype)] as ir.IrDType[]);
    if (c === null) return false;
    matmulF32(this.ctx, a, b, y, head.attrs, (mm, chunks, parallel, target) => this.tiles(c, mm, chunks, parallel, target, extras, y));
    this.fusedRuns["matmul"]!++;
    return true;
  }

  /**
   * float32 conv2d (im2col or pointwise) whose matmuls apply the tail per tile, when every extra
   * varies at most along the channels (so it broadcasts over a block of rows of y as over y);
   * false (nothing run) otherwise, and for convolutions that take the Winograd path.
   */
  private conv(head: ResolvedOp<Attrs<"conv2d">, CpuBuffer>, expr: Expr, extras: readonly T[], y: T): boolean {
    const [x, f] = head.inputs as [T, T];
    if (x.size === 0 || f.size === 0 || !extras.every((t) => !t.strides && t.shape.slice(0, -1).every((d) => d === 1))) return false;
    const c = this.module({ name: "mm_f32", params: 13 }, tileDriver, expr, [y.dtype, ...extras.map((t) => t.dtype)] as ir.IrDType[]);
    if (c === null) return false;
    const channels = extras.map((t) => ({ ...t, shape: t.shape.slice(-1) }));
    const matmul: Kernel<MatmulAttrs, CpuBuffer> = ([a, b], [out], attrs) =>
      matmulF32(this.ctx, a as T, b as T, out as T, attrs, (mm, chunks, parallel, target) => this.tiles(c, mm, chunks, parallel, target, channels, out as T));
    if (!conv2dF32(this.ctx, matmul, head.inputs, head.outputs, head.attrs, head, false)) return false;
    this.fusedRuns["conv2d"]!++;
    return true;
  }

  /** Run the driver over every tile: C (at `target`) with its tail into `y`. */
  private tiles(c: Built, mm: readonly number[], chunks: number, parallel: boolean, target: TileTarget, extras: readonly T[], y: T): void {
    const rank = y.shape.length;
    // C's element strides: rows `ldc / 4` apart, batches M rows apart.
    const cStrides = new Array<number>(rank);
    cStrides[rank - 1] = 1;
    cStrides[rank - 2] = target.ldc / 4;
    for (let d = rank - 3; d >= 0; d--) cStrides[d] = cStrides[d + 1]! * (d === rank - 3 ? y.shape[rank - 2]! : y.shape[d + 1]!);
    this.launch(c, [...mm, y.shape[rank - 1]!], target.base, cStrides, extras, y, chunks, parallel);
  }

  /** A reduction's row chunks with the tail over each chunk's outputs; false (nothing run) without a row call or module. */
  private rows(op: string, call: RowsCall | null, expr: Expr, extras: readonly T[], y: T): boolean {
    if (call === null) return false;
    const c = this.module({ name: call.name, params: 7 }, rowsDriver, expr, [y.dtype, ...extras.map((t) => t.dtype)] as ir.IrDType[]);
    if (c === null) return false;
    this.launch(c, call.args, y.data.offset, stridesOf(y.shape), extras, y, call.chunks, call.parallel);
    this.fusedRuns[op]!++;
    return true;
  }

  /** The stride plan of a tail over y (the head's value, then the extras): the module's last one when the layout repeats. */
  private planFor(c: Built, cStrides: readonly number[], extras: readonly T[], y: T): ReturnType<typeof stridePlan> {
    const last = this.plans.get(c);
    if (last && shapesEqual(last.cStrides, cStrides) && shapesEqual(last.yShape, y.shape) && last.extras.length === extras.length) {
      let same = true;
      for (let i = 0; same && i < extras.length; i++) {
        const t = extras[i]!;
        const e = last.extras[i]!;
        same = shapesEqual(e.shape, t.shape) && (e.strides === t.strides || (e.strides !== undefined && t.strides !== undefined && shapesEqual(e.strides, t.strides)));
      }
      if (same) return last.plan;
    }
    const plan = stridePlan([cStrides, ...extras.map((t) => viewBroadcastStrides(t, y.shape))], y.shape);
    this.plans.set(c, { cStrides, yShape: y.shape, extras: extras.map((t) => ({ shape: t.shape, strides: t.strides })), plan });
    return plan;
  }

  /**
   * Write the driver's block (the head's words, then the tail's arguments: the head's value at
   * `cPtr` with element strides `cStrides` over y's shape, the extras broadcast, y) and run every chunk.
   */
  private launch(c: Built, headWords: readonly number[], cPtr: number, cStrides: readonly number[], extras: readonly T[], y: T, chunks: number, parallel: boolean): void {
    const plan = this.planFor(c, cStrides, extras, y);
    const n = extras.length + 1;
    const tabWord = headWords.length + n + 1;
    const words = [...headWords, cPtr, ...extras.map(viewPointer), y.data.offset, 0, plan.outer.length / (n + 1), plan.len, ...plan.inner, y.size];
    const block = this.ctx.arena.allocScratch((words.length + plan.outer.length) * 4);
    try {
      words[tabWord] = block.offset + words.length * 4;
      const i32 = this.ctx.heap().i32;
      const base = block.offset >> 2;
      for (let i = 0; i < words.length; i++) i32[base + i] = words[i]! | 0;
      for (let i = 0; i < plan.outer.length; i++) i32[base + words.length + i] = plan.outer[i]! | 0;
      if (parallel && chunks > 1 && this.ctx.runExtra(c.key, c.binary, c.fn, [block.offset], chunks)) return;
      for (let ch = 0; ch < chunks; ch++) c.fn(block.offset, ch);
    } finally {
      this.ctx.arena.free(block);
    }
  }
}
