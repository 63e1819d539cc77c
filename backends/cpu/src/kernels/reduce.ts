/**
 * Reduction kernels: sum and mean (float32 with float64 accumulation, float64; int32 sums) and max/min
 * (float32) over any set of adjacent axes in WebAssembly, split across threads by output
 * rows (sums also by row segments when rows are few). Other cases use the reference kernel.
 */
import type { Kernel, KernelTensor } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

type K = Kernel<any, CpuBuffer>;

/** The input as (outer, reduced, inner) when the reduced axes are adjacent (ignoring size-1 dims). */
export function reduceLayout(shape: readonly number[], axes: readonly number[]): { O: number; R: number; I: number } | null {
  let O = 1;
  let R = 1;
  let I = 1;
  let phase = 0; // 0 before the reduced block, 1 inside, 2 after
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const red = axes.includes(i);
    if (d === 1) continue;
    if (red) {
      if (phase === 2) return null;
      phase = 1;
      R *= d;
    } else if (phase === 0) O *= d;
    else {
      phase = 2;
      I *= d;
    }
  }
  return { O, R, I };
}

/** Sum (or mean when `mean`) over `attrs.axes`. */
export function sumKernel(ctx: CpuContext, mean: boolean, fallback: K): K {
  return (inputs, outputs, attrs: { axes: readonly number[] }) => {
    const x = inputs[0] as KernelTensor<CpuBuffer>;
    const y = outputs[0]!;
    const dt = x.dtype === "float32" ? "f32" : x.dtype === "float64" ? "f64" : x.dtype === "int32" && !mean ? "i32" : null;
    const lay = reduceLayout(x.shape, attrs.axes);
    if (!dt || y.dtype !== x.dtype || !lay || lay.R === 0) return fallback(inputs, outputs, attrs);
    const { O, R, I } = lay;
    const big = x.size >= ctx.thresholds.elementwise && ctx.threads > 1;
    if (big && I === 1 && O < ctx.threads * 2) {
      // Few long rows: float64 partial sums of row segments, finished here.
      const P = Math.max(1, Math.ceil((ctx.threads * 4) / O));
      const seg = Math.ceil(R / P);
      const part = ctx.arena.allocScratch(O * P * 8);
      try {
        ctx.run(`sumpart_${dt}`, [x.data.offset, part.offset, R, seg, P], O * P, true);
        const { f64 } = ctx.heap();
        const out = ctx.view(y.data, y.dtype, y.size);
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let p = 0; p < P; p++) s += f64[(part.offset >> 3) + o * P + p]!;
          out[o] = mean ? s / R : s;
        }
      } finally {
        ctx.arena.free(part);
      }
      return;
    }
    const per = big ? Math.max(1, Math.ceil(O / (ctx.threads * 4))) : O;
    ctx.run(`sum_${dt}`, [x.data.offset, y.data.offset, R, I, O, per], Math.ceil(O / per), big);
    if (mean) {
      const out = ctx.view(y.data, y.dtype, y.size);
      for (let i = 0; i < out.length; i++) out[i] = out[i]! / R;
    }
  };
}

/** max or min over `attrs.axes` (float32, adjacent axes, at least one element reduced); else `fallback`. */
export function extremumKernel(ctx: CpuContext, op: "max" | "min", fallback: K): K {
  const name = `${op}_f32`;
  const f = ctx.fn(name);
  return (inputs, outputs, attrs: { axes: readonly number[] }) => {
    const x = inputs[0] as KernelTensor<CpuBuffer>;
    const y = outputs[0]!;
    const lay = x.dtype === "float32" && y.dtype === "float32" ? reduceLayout(x.shape, attrs.axes) : null;
    if (!lay || lay.R === 0 || lay.O * lay.I === 0) return fallback(inputs, outputs, attrs);
    const { O, R, I } = lay;
    if (x.size < ctx.thresholds.elementwise || ctx.threads === 1 || O === 1) {
      f(x.data.offset, y.data.offset, R, I, O, O, 0);
      return;
    }
    const per = Math.max(1, Math.ceil(O / (ctx.threads * 4)));
    ctx.run(name, [x.data.offset, y.data.offset, R, I, O, per], Math.ceil(O / per), true);
  };
}
