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

/**
 * A reduction as one chunked wasm call `name(...args, chunk)`: chunk c writes the outputs
 * [c * per * I, min(O, c * per + per) * I) (whole output rows of I elements).
 */
export interface RowsCall {
  readonly name: string;
  readonly args: readonly number[];
  readonly chunks: number;
  readonly parallel: boolean;
  readonly per: number;
  readonly I: number;
  readonly O: number;
}

type T = KernelTensor<CpuBuffer>;

/** A sum's wasm dtype and layout, or null where the reference kernel runs. */
function sumLayout(x: T, y: T, axes: readonly number[], mean: boolean): { dt: string; O: number; R: number; I: number } | null {
  const dt = x.dtype === "float32" ? "f32" : x.dtype === "float64" ? "f64" : x.dtype === "int32" && !mean ? "i32" : null;
  const lay = reduceLayout(x.shape, axes);
  if (!dt || y.dtype !== x.dtype || !lay || lay.R === 0) return null;
  return { dt, ...lay };
}

/** Whether a sum is split into row segments (few long rows on several threads), not whole rows. */
function segmented(ctx: CpuContext, x: T, l: { O: number; I: number }): boolean {
  return x.size >= ctx.thresholds.elementwise && ctx.threads > 1 && l.I === 1 && l.O < ctx.threads * 2;
}

function sumRows(ctx: CpuContext, x: T, y: T, l: { dt: string; O: number; R: number; I: number }): RowsCall {
  const big = x.size >= ctx.thresholds.elementwise && ctx.threads > 1;
  const per = big ? Math.max(1, Math.ceil(l.O / (ctx.threads * 4))) : l.O;
  return { name: `sum_${l.dt}`, args: [x.data.offset, y.data.offset, l.R, l.I, l.O, per], chunks: Math.ceil(l.O / per), parallel: big, per, I: l.I, O: l.O };
}

/**
 * A sum over `axes` as row chunks (for a mean, the sums: divide by `args[2]`, the reduced
 * size), or null where the kernel does otherwise (the reference, row segments).
 */
export function sumRowsCall(ctx: CpuContext, x: T, y: T, axes: readonly number[], mean = false): RowsCall | null {
  const l = sumLayout(x, y, axes, mean);
  return l && !segmented(ctx, x, l) ? sumRows(ctx, x, y, l) : null;
}

/** Sum (or mean when `mean`) over `attrs.axes`. */
export function sumKernel(ctx: CpuContext, mean: boolean, fallback: K): K {
  return (inputs, outputs, attrs: { axes: readonly number[] }) => {
    const x = inputs[0] as T;
    const y = outputs[0]!;
    const l = sumLayout(x, y, attrs.axes, mean);
    if (!l) return fallback(inputs, outputs, attrs);
    const { dt, O, R } = l;
    if (segmented(ctx, x, l)) {
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
    const call = sumRows(ctx, x, y, l);
    ctx.run(call.name, call.args, call.chunks, call.parallel);
    if (mean) {
      const out = ctx.view(y.data, y.dtype, y.size);
      for (let i = 0; i < out.length; i++) out[i] = out[i]! / R;
    }
  };
}

/** max or min over `axes` as row chunks (float32, adjacent axes, at least one element reduced), or null (the reference). */
export function extremumRowsCall(ctx: CpuContext, op: "max" | "min", x: T, y: T, axes: readonly number[]): RowsCall | null {
  const lay = x.dtype === "float32" && y.dtype === "float32" ? reduceLayout(x.shape, axes) : null;
  if (!lay || lay.R === 0 || lay.O * lay.I === 0) return null;
  const { O, R, I } = lay;
  const parallel = !(x.size < ctx.thresholds.elementwise || ctx.threads === 1 || O === 1);
  const per = parallel ? Math.max(1, Math.ceil(O / (ctx.threads * 4))) : O;
  return { name: `${op}_f32`, args: [x.data.offset, y.data.offset, R, I, O, per], chunks: Math.ceil(O / per), parallel, per, I, O };
}

/** max or min over `attrs.axes` (float32, adjacent axes, at least one element reduced); else `fallback`. */
export function extremumKernel(ctx: CpuContext, op: "max" | "min", fallback: K): K {
  const f = ctx.fn(`${op}_f32`);
  return (inputs, outputs, attrs: { axes: readonly number[] }) => {
    const call = extremumRowsCall(ctx, op, inputs[0] as T, outputs[0]!, attrs.axes);
    if (!call) return fallback(inputs, outputs, attrs);
    if (!call.parallel) f(...call.args, 0);
    else ctx.run(call.name, call.args, call.chunks, true);
  };
}
