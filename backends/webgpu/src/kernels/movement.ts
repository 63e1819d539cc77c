/**
 * The movement family: one strided-copy kernel (the reference's copyStrided on the GPU,
 * dtype-blind since every dtype is one 32-bit word) serves transpose, broadcastTo,
 * stridedSlice, stridedSliceGrad, pad and concat; reshape is a buffer copy.
 */
import type { Kernel, KernelTable, KernelTensor } from "@eager/core/backend";
import { grid, type GpuBuffer, type Runtime } from "../runtime.js";
import { perElement, sizeOf, strides, valueBits, WG } from "../wgsl.js";
import { fillWords } from "./elementwise.js";

type T = KernelTensor<GpuBuffer>;

/**
 * Copy `shape`'s elements: element c (a coordinate) goes from src[srcBase + c . srcSteps]
 * to dst[dstBase + c . dstSteps]. A contiguous destination skips its index arithmetic.
 * Params: [n, rank, srcBase, dstBase, shape..., srcSteps..., dstSteps...].
 */
export function copyStrided(rt: Runtime, shape: readonly number[], src: GpuBuffer, srcBase: number, srcSteps: readonly number[], dst: GpuBuffer, dstBase: number, dstSteps: readonly number[]): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const rs = strides(shape);
  const dense = dstBase === 0 && dstSteps.every((s, d) => s === rs[d] || shape[d] === 1);
  const key = `copyStrided:${dense ? "dense" : "strided"}`;
  const body = `let rank = pu(1u);
  var rem = i;
  var s = p[2];
  var t = p[3];
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = pu(4u + u32(d));
    let c = i32(rem % dim);
    rem = rem / dim;
    s += c * p[4u + rank + u32(d)];
    ${dense ? "" : "t += c * p[4u + 2u * rank + u32(d)];"}
  }
  dst[${dense ? "i" : "u32(t)"}] = src[u32(s)];`;
  const src_ = () => perElement([{ name: "dst", type: "u32", write: true }, { name: "src", type: "u32" }], body);
  rt.dispatch(key, src_, [dst, src], [n, shape.length, srcBase, dstBase, ...shape, ...srcSteps, ...dstSteps], grid(Math.ceil(n / WG)));
}

/** Base offset and per-axis steps of a strided window in a row-major array of `shape`. */
function windowSteps(shape: readonly number[], begin: readonly number[], step: readonly number[]): [number, number[]] {
  const st = strides(shape);
  let base = 0;
  for (let d = 0; d < shape.length; d++) base += begin[d]! * st[d]!;
  return [base, st.map((v, d) => v * step[d]!)];
}

/** Strides of `shape` broadcast to `out` (0 along broadcast axes). */
function broadcastSteps(shape: readonly number[], out: readonly number[]): number[] {
  const st = strides(shape);
  const off = out.length - shape.length;
  return out.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]!));
}

type MovementOps = "reshape" | "broadcastTo" | "transpose" | "stridedSlice" | "stridedSliceGrad" | "pad" | "concat";

/** Kernels of the movement family. */
export function movementKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, MovementOps> {
  const dense = (y: T) => strides(y.shape);
  const reshape: Kernel<{ shape: readonly number[] }, GpuBuffer> = ([x], [y]) => rt().copy(x!.data, y!.data, y!.size * 4);
  return {
    reshape,
    broadcastTo: ([x], [y]) => copyStrided(rt(), y!.shape, x!.data, 0, broadcastSteps(x!.shape, y!.shape), y!.data, 0, dense(y!)),
    transpose: ([x], [y], a) => {
      const xs = strides(x!.shape);
      copyStrided(rt(), y!.shape, x!.data, 0, a.perm.map((i) => xs[i]!), y!.data, 0, dense(y!));
    },
    stridedSlice: ([x], [y], a) => {
      const [base, steps] = windowSteps(x!.shape, a.begin, a.strides);
      copyStrided(rt(), y!.shape, x!.data, base, steps, y!.data, 0, dense(y!));
    },
    stridedSliceGrad: ([dy], [y], a) => {
      fillWords(rt(), y!.data, y!.size, 0);
      const [base, steps] = windowSteps(y!.shape, a.begin, a.strides);
      copyStrided(rt(), dy!.shape, dy!.data, 0, strides(dy!.shape), y!.data, base, steps);
    },
    pad: ([x], [y], a) => {
      fillWords(rt(), y!.data, y!.size, valueBits(a.constantValue, y!.dtype));
      const [base, steps] = windowSteps(y!.shape, a.paddings.map((q) => q[0]), a.paddings.map(() => 1));
      copyStrided(rt(), x!.shape, x!.data, 0, strides(x!.shape), y!.data, base, steps);
    },
    concat: (xs, [y], a) => {
      const ys = strides(y!.shape);
      let base = 0;
      for (const x of xs) {
        copyStrided(rt(), x.shape, x.data, 0, strides(x.shape), y!.data, base, ys);
        base += x.shape[a.axis]! * ys[a.axis]!;
      }
    },
  };
}
