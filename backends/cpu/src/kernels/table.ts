/**
 * The CPU backend's kernel table: one entry per op of core's table (a compile error if one
 * is missing). Each entry says where the op runs: a wasm kernel (which itself falls back to
 * the reference kernel for dtypes it lacks) or `js(name)`, the reference kernel on views.
 */
import { elementwiseOpNames, kernelsFor, type Attrs, type ElementwiseOpName, type KernelTable, type OpName } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";
import { castKernel, copyKernel, fillKernel, irKernel } from "./elementwise.js";
import { concatKernel } from "./concat.js";
import { jsKernel } from "./fallback.js";
import { argMaxKernel, gatherKernel, segmentSumKernel, stridedSliceGradKernel } from "./index-ops.js";
import { conv2dKernel } from "./conv.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from "./conv-grad.js";
import { matmulKernel } from "./matmul.js";
import { broadcastToKernel, stridedSliceKernel, transposeKernel } from "./movement.js";
import { maxPoolGradKernel, maxPoolKernel } from "./pool.js";
import { extremumKernel, sumKernel } from "./reduce.js";

/** Every kernel of the CPU backend for one context. */
export function cpuKernels(ctx: CpuContext): KernelTable<CpuBuffer> {
  const js = <N extends OpName>(name: N) => jsKernel(ctx, name);
  const matmul = matmulKernel(ctx, js("matmul"));
  // Every elementwise op: the wasm kernel generated from its IR expression (copies and fills below replace a few).
  const elementwise = Object.fromEntries(elementwiseOpNames.map((op) => [op, irKernel(ctx, op)])) as Pick<KernelTable<CpuBuffer>, ElementwiseOpName>;
  return {
    ...elementwise,
    onesLike: fillKernel(ctx, () => 1),
    zerosLike: fillKernel(ctx, () => 0),
    stopGradient: copyKernel(ctx, js("stopGradient")),
    cast: castKernel(ctx, js("cast")),
    fill: fillKernel(ctx, (a: Attrs<"fill">) => a.value),
    sum: sumKernel(ctx, false, js("sum")),
    mean: sumKernel(ctx, true, js("mean")),
    prod: js("prod"),
    ...kernelsFor(["max", "min"] as const, (op) => extremumKernel(ctx, op, js(op))),
    all: js("all"),
    any: js("any"),
    argMax: argMaxKernel(ctx, js("argMax")),
    argMin: js("argMin"),
    cumsum: js("cumsum"),
    topk: js("topk"),
    reshape: copyKernel(ctx, js("reshape")),
    broadcastTo: broadcastToKernel(ctx),
    transpose: transposeKernel(ctx),
    stridedSlice: stridedSliceKernel(ctx),
    stridedSliceGrad: stridedSliceGradKernel(ctx),
    pad: js("pad"),
    concat: concatKernel(ctx),
    matmul,
    gather: gatherKernel(ctx, js("gather")),
    unsortedSegmentSum: segmentSumKernel(ctx, js("unsortedSegmentSum")),
    gatherND: js("gatherND"),
    scatterND: js("scatterND"),
    oneHot: js("oneHot"),
    conv2d: conv2dKernel(ctx, matmul, js("conv2d")),
    conv2dBackpropInput: conv2dBackpropInputKernel(ctx, matmul, js("conv2dBackpropInput")),
    conv2dBackpropFilter: conv2dBackpropFilterKernel(ctx, matmul, js("conv2dBackpropFilter")),
    depthwiseConv2d: js("depthwiseConv2d"),
    depthwiseConv2dBackpropInput: js("depthwiseConv2dBackpropInput"),
    depthwiseConv2dBackpropFilter: js("depthwiseConv2dBackpropFilter"),
    maxPool: maxPoolKernel(ctx, js("maxPool")),
    maxPoolGrad: maxPoolGradKernel(ctx, js("maxPoolGrad")),
    maxPoolGradGrad: js("maxPoolGradGrad"),
    avgPool: js("avgPool"),
    avgPoolGrad: js("avgPoolGrad"),
  };
}
