/**
 * maxPool and maxPoolGrad (NHWC, float32) in wasm, split across threads by images (windows
 * never cross images, so gradient scatter-adds from different chunks never collide). Other
 * dtypes use the reference kernels.
 */
import { geometryOf, poolGeometry, type Attrs, type Kernel, type KernelTensor, type ResolvedOp, type WindowGeometry } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";

type K = Kernel<Attrs<"maxPool">, CpuBuffer>;

/** The wasm pool kernels' parameters [n, H, W, C, KH, KW, SH, SW, PT, PL, OH, OW], from the call's window plan. */
function params(op: ResolvedOp<Attrs<"maxPool">, CpuBuffer> | undefined, x: KernelTensor<CpuBuffer>, a: Attrs<"maxPool">): number[] {
  const g: WindowGeometry = geometryOf(op, () => poolGeometry("maxPool", x.shape, a));
  return [g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow];
}

/** Images per chunk: all on one thread below the threshold, else about four chunks per thread. */
function split(ctx: CpuContext, n: number, elements: number): { per: number; chunks: number; parallel: boolean } {
  if (elements < ctx.thresholds.elementwise || ctx.threads === 1 || n === 1) return { per: Math.max(n, 1), chunks: 1, parallel: false };
  const per = Math.max(1, Math.ceil(n / (ctx.threads * 4)));
  return { per, chunks: Math.ceil(n / per), parallel: true };
}

/** maxPool: y = max over each window. */
export function maxPoolKernel(ctx: CpuContext, fallback: K): K {
  return (inputs, outputs, attrs, op) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (x.dtype !== "float32" || y.dtype !== "float32" || y.size === 0) return fallback(inputs, outputs, attrs, op);
    const geo = params(op, x, attrs);
    const { per, chunks, parallel } = split(ctx, geo[0]!, x.size);
    ctx.run("maxpool_f32", [x.data.offset, y.data.offset, ...geo, per], chunks, parallel);
  };
}

/** maxPoolGrad: dx = dy added at each window's first maximum (zeros elsewhere). */
export function maxPoolGradKernel(ctx: CpuContext, fallback: K): K {
  return (inputs, outputs, attrs, op) => {
    const [x, dy] = inputs as [KernelTensor<CpuBuffer>, KernelTensor<CpuBuffer>];
    const dx = outputs[0]!;
    if (x.dtype !== "float32" || dy.dtype !== "float32" || dx.dtype !== "float32" || dy.size === 0) return fallback(inputs, outputs, attrs, op);
    const geo = params(op, x, attrs);
    const { per, chunks, parallel } = split(ctx, geo[0]!, x.size);
    ctx.run("maxpoolgrad_f32", [x.data.offset, dy.data.offset, dx.data.offset, ...geo, per], chunks, parallel);
  };
}
