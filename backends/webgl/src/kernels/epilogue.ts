/**
 * Fused epilogues on gpu.js: the head's own kernel (matmul, conv2d, sum/mean/prod/max/min/
 * all/any), built on a context that, when the head runs its one kernel into the output, appends
 * the elementwise tail to the same kernel: the head's result is input 0, the extras are read
 * with the elementwise kernels' broadcasting. Other heads, float64, expressions without a
 * gpu.js form and more tensors than one kernel may read are declined before anything runs.
 */
import { sizeOf, type Expr, type OpName, type ResolvedOp } from "@eager/core/backend";
import { KernelBuilder } from "../codegen.js";
import { KernelContext, type GlTensor, type WebGlBuffer } from "../context.js";
import { readBroadcast, runExpr, storedValue } from "./elementwise.js";
import { lowerToGpuJs } from "./ir-gpujs.js";
import { webglKernels } from "./table.js";

/** The heads this backend fuses: each writes its output with exactly one kernel. */
const HEADS = new Set<string>(["matmul", "conv2d", "sum", "mean", "prod", "max", "min", "all", "any"]);
const STORED = new Set<string>(["float32", "int32", "bool"]);

interface PendingTail {
  readonly expr: Expr;
  readonly extras: readonly GlTensor[];
  readonly output: GlTensor;
}

/** Names in the tail's code, apart from every name the head kernels declare. */
const input = (k: number) => `epx${k}`;

/** A kernel context that applies a pending tail to the kernel that writes its output. */
class TailContext extends KernelContext {
  pending: PendingTail | null = null;

  override run(op: string, out: GlTensor, b: KernelBuilder, result: string): void {
    const tail = this.pending;
    if (tail === null || out.data !== tail.output.data) return super.run(op, out, b, result);
    this.pending = null;
    b.line(`const ${input(0)} = ${result};`);
    readBroadcast(this, b, op, tail.extras, out, (k) => input(k + 1), "epc");
    const v = lowerToGpuJs(tail.expr, b, () => {
      throw new Error("webgl: a fused epilogue has no attrs");
    }, { input, prefix: "epn" });
    super.run(`${op}+epilogue`, out, b, storedValue(v, out.dtype));
  }
}

/** The reduced element count of a reduction head (0: it writes a constant from the host). */
function reducedCount(head: ResolvedOp<unknown, WebGlBuffer>): number {
  const axes = (head.attrs as { axes: readonly number[] }).axes;
  return sizeOf(axes.map((a) => head.inputs[0]!.shape[a]!));
}

/**
 * `Backend.fusedEpilogue` for WebGL: one gpu.js kernel per head, with the tail applied to the
 * head's result before it is stored (cached per generated source: head shape class and tail).
 */
export function fusedEpilogue(ctx: KernelContext) {
  const tailCtx = new TailContext(ctx.rt);
  const kernels = webglKernels(tailCtx) as unknown as Record<OpName, (i: readonly GlTensor[], o: readonly GlTensor[], a: unknown, op: unknown) => void>;
  return (head: ResolvedOp<unknown, WebGlBuffer>, expr: Expr, extras: readonly GlTensor[], output: GlTensor): boolean => {
    const name = head.def.name;
    if (!HEADS.has(name) || expr.dtype !== output.dtype || !STORED.has(output.dtype)) return false;
    if ([...head.inputs, ...extras].some((t) => !STORED.has(t.dtype))) return false;
    if (head.inputs.length + extras.length > ctx.rt.maxKernelTensors) return false;
    if (name !== "matmul" && name !== "conv2d" && reducedCount(head) === 0) return false;
    try {
      lowerToGpuJs(expr, new KernelBuilder(), () => "0.0");
    } catch {
      return false;
    }
    if (output.size === 0) return true;
    tailCtx.pending = { expr, extras, output };
    try {
      kernels[name as OpName](head.inputs, [output], head.attrs, head);
      // Every head above writes its output through `run`; should one not, apply the tail apart.
      if (tailCtx.pending !== null) runExpr(ctx, "epilogue", expr, [output, ...extras], output, {});
    } finally {
      tailCtx.pending = null;
    }
    return true;
  };
}
