/**
 * Epilogue kernels: a head op and its elementwise tail in one backend call. A float32 matmul
 * runs in a module built per tail, whose every chunk computes one tile of C with the prebuilt
 * wasm tile kernel (imported, so results equal the plain matmul's) and then applies the tail to that tile (cache-hot, in the same worker), reading
 * C from the output or, when N is not a multiple of 8, from the padded scratch C. Other heads
 * (sum, max, mean, conv2d; matmul where the module cannot be built) run their kernel into the
 * output, then the tail in place over it through the fused elementwise kernels.
 */
import { broadcastStrides, ir, type Expr, type Kernel, type KernelTensor, type ResolvedOp } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import { elementwiseFunc } from "../wasm/elementwise-wat.js";
import { IPOW_HELPER } from "../wasm/ir-wasm.js";
import { assembleSync, MAX_PAGES } from "../wasm/module.js";
import type { CpuContext } from "./context.js";
import { stridePlan } from "./elementwise.js";
import type { FusedKernels } from "./fused.js";
import { matmulF32, type TileTarget } from "./matmul.js";

type T = KernelTensor<CpuBuffer>;
type Fn = (...a: number[]) => unknown;
type Built = { fn: Fn; binary: Uint8Array };

const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);
/** Words of the driver's parameter block before the tail's arguments: mm_f32's 12, then N. */
const HEAD_WORDS = 13;

/**
 * The driver `fused(prm, chunk)`: one tile of the prebuilt `mm_f32` (imported), then the tail
 * (function 1, after the import) over each of the tile's rows, restricted to the tile's columns. `prm` holds
 * mm_f32's arguments, N, then the tail's arguments without `per` and `chunk`.
 */
function driver(tailArgs: number): string {
  const w = (i: number) => `(i32.load offset=${i * 4} (local.get $prm))`;
  const mmCall = `(call $mm ${[...Array(12).keys()].map(w).join(" ")} (local.get $chunk))`;
  const tailCall = `(call 1 ${[...Array(tailArgs).keys()].map((i) => w(HEAD_WORDS + i)).join(" ")} (i32.sub (local.get $c1) (local.get $c0))
        (i32.add (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $M)) (local.get $r)) (local.get $N)) (local.get $c0)))`;
  return `
  (func (export "fused") (param $prm i32) (param $chunk i32)
    (local $tiles i32) (local $t i32) (local $bi i32) (local $r i32) (local $i1 i32) (local $c0 i32) (local $c1 i32) (local $M i32) (local $N i32)
    ${mmCall}
    (local.set $M ${w(6)})
    (local.set $N ${w(12)})
    (local.set $tiles (i32.mul ${w(9)} ${w(10)}))
    (local.set $bi (i32.div_u (local.get $chunk) (local.get $tiles)))
    (local.set $t (i32.rem_u (local.get $chunk) (local.get $tiles)))
    (local.set $r (i32.mul (i32.div_u (local.get $t) ${w(10)}) ${w(7)}))
    (local.set $i1 (i32.add (local.get $r) ${w(7)}))
    (if (i32.gt_u (local.get $i1) (local.get $M)) (then (local.set $i1 (local.get $M))))
    (local.set $c0 (i32.shl (i32.mul (i32.rem_u (local.get $t) ${w(10)}) ${w(8)}) (i32.const 3)))
    (local.set $c1 (i32.add (local.get $c0) (i32.shl ${w(8)} (i32.const 3))))
    (if (i32.gt_u (local.get $c1) (local.get $N)) (then (local.set $c1 (local.get $N))))
    (if (i32.ge_u (local.get $c0) (local.get $c1)) (then (return)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $i1)))
      ${tailCall}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** Epilogue kernels of one backend; matmul modules compiled on first use per tail and input dtypes. */
export class EpilogueKernels {
  private readonly cache = new Map<string, Built | null>();
  /** Matmul calls that ran with the tail applied per tile (for tests and reports). */
  fusedMatmuls = 0;
  constructor(
    private readonly ctx: CpuContext,
    private readonly fused: FusedKernels,
    private readonly kernels: Readonly<Record<string, Kernel<any, CpuBuffer> | undefined>>,
  ) {}

  /** `Backend.fusedEpilogue`: false (nothing left to undo) when neither form applies. */
  run(head: ResolvedOp<unknown, CpuBuffer>, expr: Expr, extras: readonly T[], y: T): boolean {
    if (head.def.name === "matmul" && this.matmul(head as ResolvedOp<{ transposeA: boolean; transposeB: boolean }, CpuBuffer>, expr, extras, y)) return true;
    const kernel = this.kernels[head.def.name];
    if (!kernel) return false;
    kernel(head.inputs, head.outputs, head.attrs, head);
    // In place: element i of the tail reads only element i of the head's value.
    return this.fused.run(expr, [y, ...extras], y);
  }

  private build(expr: Expr, dtypes: readonly ir.IrDType[]): Built | null {
    const tail = elementwiseFunc({ name: "tail", op: "tail", dtypes, statics: {}, expr: ir.expandFloat32(expr, NATIVE), attrs: [], range: true });
    if (tail === null) return null;
    const shared = this.ctx.memory.buffer instanceof SharedArrayBuffer;
    // The prebuilt matmul tile is imported (function 0, the same code as the plain kernel); the tail is function 1.
    const mm = `(import "kernels" "mm_f32" (func $mm (param${" i32".repeat(13)})))`;
    const text = `(module (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? " shared" : ""}))\n${mm}\n${tail}\n${driver(2 * dtypes.length + 5)}\n${tail.includes("$ipow") ? IPOW_HELPER : ""})`;
    try {
      const built = assembleSync(text);
      if (built === null) return null;
      const instance = new WebAssembly.Instance(built.module, { env: { memory: this.ctx.memory }, kernels: { mm_f32: this.ctx.fn("mm_f32") } });
      return { fn: instance.exports["fused"] as Fn, binary: built.binary };
    } catch (e) {
      // Browsers refuse synchronous compilation of modules over 4 KiB on the main thread.
      if (e instanceof RangeError) return null;
      throw e;
    }
  }

  /** float32 matmul with the tail applied per tile; false (nothing run) where it does not apply. */
  private matmul(head: ResolvedOp<{ transposeA: boolean; transposeB: boolean }, CpuBuffer>, expr: Expr, extras: readonly T[], y: T): boolean {
    const [a, b] = head.inputs as [T, T];
    if (a.dtype !== "float32" || b.dtype !== "float32" || y.dtype !== "float32") return false;
    const kd = head.attrs.transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    if (kd === 0) return false;
    const dtypes = [y.dtype, ...extras.map((t) => t.dtype)] as ir.IrDType[];
    const key = `epilogue|${dtypes.join(",")}|${ir.printExpr(expr)}`;
    let c = this.cache.get(key);
    if (c === undefined) this.cache.set(key, (c = this.build(expr, dtypes)));
    if (c === null) return false;
    const built = c;
    matmulF32(this.ctx, a, b, y, head.attrs, (mm, chunks, parallel, target) => this.tiles(key, built, mm, chunks, parallel, target, extras, y));
    this.fusedMatmuls++;
    return true;
  }

  /** Run the driver over every tile: C (at `target`) with its tail into `y`. */
  private tiles(key: string, c: Built, mm: readonly number[], chunks: number, parallel: boolean, target: TileTarget, extras: readonly T[], y: T): void {
    const rank = y.shape.length;
    const M = y.shape[rank - 2]!;
    const N = y.shape[rank - 1]!;
    // C's element strides: rows `ldc / 4` apart, batches M rows apart.
    const cStrides = new Array<number>(rank);
    cStrides[rank - 1] = 1;
    cStrides[rank - 2] = target.ldc / 4;
    for (let d = rank - 3; d >= 0; d--) cStrides[d] = cStrides[d + 1]! * (d === rank - 3 ? M : y.shape[d + 1]!);
    const plan = stridePlan([cStrides, ...extras.map((t) => broadcastStrides(t.shape, y.shape))], y.shape);
    const words = [...mm, N, target.base, ...extras.map((t) => t.data.offset), y.data.offset, 0, plan.outer.length / (extras.length + 2), plan.len, ...plan.inner, y.size];
    const tabAt = words.length;
    words[HEAD_WORDS + extras.length + 2] = 0; // the outer table's address, set below
    const block = this.ctx.arena.allocScratch((words.length + plan.outer.length) * 4);
    try {
      words[HEAD_WORDS + extras.length + 2] = block.offset + tabAt * 4;
      const i32 = this.ctx.heap().i32;
      const base = block.offset >> 2;
      for (let i = 0; i < words.length; i++) i32[base + i] = words[i]! | 0;
      for (let i = 0; i < plan.outer.length; i++) i32[base + tabAt + i] = plan.outer[i]! | 0;
      if (parallel && chunks > 1 && this.ctx.runExtra(key, c.binary, c.fn, [block.offset], chunks)) return;
      for (let ch = 0; ch < chunks; ch++) c.fn(block.offset, ch);
    } finally {
      this.ctx.arena.free(block);
    }
  }
}
