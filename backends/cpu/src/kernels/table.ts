/**
 * The CPU backend's kernel table: one entry per op of core's table (a compile error if one
 * is missing). Each entry says where the op runs: a wasm kernel (which itself falls back to
 * the reference kernel for dtypes it lacks) or `js(name)`, the reference kernel on views.
 */
import type { Attrs, KernelTable, OpName } from "@eager/core/backend";
import type { CpuBuffer } from "../arena.js";
import type { CpuContext } from "./context.js";
import { binaryKernel, castKernel, copyKernel, fillKernel, unaryKernel } from "./elementwise.js";
import { jsKernel } from "./fallback.js";
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
  return {
    neg: unaryKernel(ctx, "neg", js("neg")),
    abs: unaryKernel(ctx, "abs", js("abs")),
    sign: js("sign"),
    exp: unaryKernel(ctx, "exp", js("exp")),
    expm1: js("expm1"),
    log: unaryKernel(ctx, "log", js("log")),
    log1p: unaryKernel(ctx, "log1p", js("log1p")),
    sqrt: unaryKernel(ctx, "sqrt", js("sqrt")),
    rsqrt: unaryKernel(ctx, "rsqrt", js("rsqrt")),
    square: unaryKernel(ctx, "square", js("square")),
    reciprocal: unaryKernel(ctx, "reciprocal", js("reciprocal")),
    sin: js("sin"),
    cos: js("cos"),
    tan: js("tan"),
    asin: js("asin"),
    acos: js("acos"),
    atan: js("atan"),
    sinh: js("sinh"),
    cosh: js("cosh"),
    tanh: unaryKernel(ctx, "tanh", js("tanh")),
    sigmoid: unaryKernel(ctx, "sigmoid", js("sigmoid")),
    softplus: unaryKernel(ctx, "softplus", js("softplus")),
    relu: unaryKernel(ctx, "relu", js("relu")),
    relu6: unaryKernel(ctx, "relu6", js("relu6")),
    elu: js("elu"),
    selu: js("selu"),
    gelu: js("gelu"),
    erf: js("erf"),
    floor: unaryKernel(ctx, "floor", js("floor")),
    ceil: unaryKernel(ctx, "ceil", js("ceil")),
    round: unaryKernel(ctx, "round", js("round")),
    isNaN: js("isNaN"),
    isFinite: js("isFinite"),
    logicalNot: js("logicalNot"),
    onesLike: fillKernel(ctx, () => 1),
    zerosLike: fillKernel(ctx, () => 0),
    stopGradient: copyKernel(ctx, js("stopGradient")),
    add: binaryKernel(ctx, "add", js("add")),
    sub: binaryKernel(ctx, "sub", js("sub")),
    mul: binaryKernel(ctx, "mul", js("mul")),
    div: binaryKernel(ctx, "div", js("div")),
    floorDiv: js("floorDiv"),
    mod: js("mod"),
    pow: js("pow"),
    atan2: js("atan2"),
    minimum: binaryKernel(ctx, "minimum", js("minimum")),
    maximum: binaryKernel(ctx, "maximum", js("maximum")),
    equal: binaryKernel(ctx, "equal", js("equal")),
    notEqual: binaryKernel(ctx, "notEqual", js("notEqual")),
    less: binaryKernel(ctx, "less", js("less")),
    lessEqual: binaryKernel(ctx, "lessEqual", js("lessEqual")),
    greater: binaryKernel(ctx, "greater", js("greater")),
    greaterEqual: binaryKernel(ctx, "greaterEqual", js("greaterEqual")),
    logicalAnd: js("logicalAnd"),
    logicalOr: js("logicalOr"),
    logicalXor: js("logicalXor"),
    where: js("where"),
    clipByValue: unaryKernel(ctx, "clipByValue", js("clipByValue"), (a: Attrs<"clipByValue">) => [a.min, a.max]),
    leakyRelu: unaryKernel(ctx, "leakyRelu", js("leakyRelu"), (a: Attrs<"leakyRelu">) => [a.alpha, 0]),
    cast: castKernel(ctx, js("cast")),
    fill: fillKernel(ctx, (a: Attrs<"fill">) => a.value),
    sum: sumKernel(ctx, false, js("sum")),
    mean: sumKernel(ctx, true, js("mean")),
    prod: js("prod"),
    max: extremumKernel(ctx, "max", js("max")),
    min: extremumKernel(ctx, "min", js("min")),
    all: js("all"),
    any: js("any"),
    argMax: js("argMax"),
    argMin: js("argMin"),
    cumsum: js("cumsum"),
    topk: js("topk"),
    reshape: copyKernel(ctx, js("reshape")),
    broadcastTo: broadcastToKernel(ctx),
    transpose: transposeKernel(ctx),
    stridedSlice: stridedSliceKernel(ctx),
    stridedSliceGrad: js("stridedSliceGrad"),
    pad: js("pad"),
    concat: js("concat"),
    matmul,
    gather: js("gather"),
    unsortedSegmentSum: js("unsortedSegmentSum"),
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
