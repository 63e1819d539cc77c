/**
 * The CPU backend's kernel table: one entry per op of core's table (a compile error if one
 * is missing). Each entry says where the op runs: a wasm kernel (which itself falls back to
 * the reference kernel for dtypes it lacks) or `js(name)`, the reference kernel on views.
 */
import type { Attrs, KernelTable, OpName } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";
import { castKernel, copyKernel, fillKernel, irKernel } from "./elementwise.js";
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
  // Elementwise ops: the wasm kernel generated from the op's IR expression.
  const ew = <N extends OpName>(name: N) => irKernel(ctx, name, js(name));
  return {
    neg: ew("neg"),
    abs: ew("abs"),
    sign: ew("sign"),
    exp: ew("exp"),
    expm1: ew("expm1"),
    log: ew("log"),
    log1p: ew("log1p"),
    sqrt: ew("sqrt"),
    rsqrt: ew("rsqrt"),
    square: ew("square"),
    reciprocal: ew("reciprocal"),
    sin: ew("sin"),
    cos: ew("cos"),
    tan: ew("tan"),
    asin: ew("asin"),
    acos: ew("acos"),
    atan: ew("atan"),
    sinh: ew("sinh"),
    cosh: ew("cosh"),
    tanh: ew("tanh"),
    sigmoid: ew("sigmoid"),
    softplus: ew("softplus"),
    relu: ew("relu"),
    relu6: ew("relu6"),
    elu: ew("elu"),
    selu: ew("selu"),
    gelu: ew("gelu"),
    erf: ew("erf"),
    floor: ew("floor"),
    ceil: ew("ceil"),
    round: ew("round"),
    isNaN: ew("isNaN"),
    isFinite: ew("isFinite"),
    logicalNot: ew("logicalNot"),
    onesLike: fillKernel(ctx, () => 1),
    zerosLike: fillKernel(ctx, () => 0),
    stopGradient: copyKernel(ctx, js("stopGradient")),
    add: ew("add"),
    sub: ew("sub"),
    mul: ew("mul"),
    div: ew("div"),
    floorDiv: ew("floorDiv"),
    mod: ew("mod"),
    pow: ew("pow"),
    atan2: ew("atan2"),
    minimum: ew("minimum"),
    maximum: ew("maximum"),
    equal: ew("equal"),
    notEqual: ew("notEqual"),
    less: ew("less"),
    lessEqual: ew("lessEqual"),
    greater: ew("greater"),
    greaterEqual: ew("greaterEqual"),
    logicalAnd: ew("logicalAnd"),
    logicalOr: ew("logicalOr"),
    logicalXor: ew("logicalXor"),
    where: ew("where"),
    clipByValue: ew("clipByValue"),
    leakyRelu: ew("leakyRelu"),
    cast: castKernel(ctx, js("cast")),
    fill: fillKernel(ctx, (a: Attrs<"fill">) => a.value),
    sum: sumKernel(ctx, false, js("sum")),
    mean: sumKernel(ctx, true, js("mean")),
    prod: js("prod"),
    max: extremumKernel(ctx, "max", js("max")),
    min: extremumKernel(ctx, "min", js("min")),
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
    concat: js("concat"),
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
