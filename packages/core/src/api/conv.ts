/**
 * Public convolution and pooling ops (TF.js signatures), NHWC. Each call resolves its
 * arguments into explicit attrs (strides [sh, sw], dilations [dh, dw], pad {top, bottom,
 * left, right}) before `runOp`; a rank-3 input (HWC) runs as a batch of one and comes back rank 3.
 */
import { runOp, toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import {
  checkStridesDilations,
  conv2dBackpropInputGeometry,
  samePad,
  type ConvAttrs,
  type Pad4,
  type PoolAttrs,
} from "../ops/conv.js";
import { shapeStr, validateShape } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { noteHeavyOp } from "./slow-backend-warning.js";

/** A size for both spatial dimensions, or [height, width]. */
export type Size2D = number | readonly [number, number];
/**
 * Padding: TensorFlow's "same" or "valid", a number of zeros on every side, or explicit
 * NHWC amounts [[0, 0], [top, bottom], [left, right], [0, 0]].
 */
export type PadSpec =
  | "same"
  | "valid"
  | number
  | readonly [readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number]];
/** How the output size is rounded with numeric padding (TF.js `dimRoundingMode`; default floor). */
export type DimRoundingMode = "floor" | "round" | "ceil";

function pair(op: string, name: string, v: Size2D): [number, number] {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0]!, v[1]!];
  throw new InvalidArgumentError(`${op}: ${name} must be a number or [height, width], got ${JSON.stringify(v)}`);
}

const isNonNegInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Explicit pads for an h x w input of `op`, given the effective (dilated) window size ek and strides s. */
function resolvePad(op: string, pad: PadSpec, rounding: DimRoundingMode | undefined, h: number, w: number, ek: [number, number], s: [number, number]): Pad4 {
  let p: Pad4;
  if (pad === "same") {
    // samePad with dilation 1 on the effective size equals TF's formula with (k - 1) d + 1.
    const [top, bottom] = samePad(h, ek[0], s[0]);
    const [left, right] = samePad(w, ek[1], s[1]);
    return { top, bottom, left, right };
  } else if (pad === "valid") {
    return { top: 0, bottom: 0, left: 0, right: 0 };
  } else if (typeof pad === "number") {
    if (!isNonNegInt(pad)) throw new InvalidArgumentError(`${op}: numeric pad must be a non-negative integer, got ${pad}`);
    p = { top: pad, bottom: pad, left: pad, right: pad };
  } else if (Array.isArray(pad) && pad.length === 4 && pad.every((d) => Array.isArray(d) && d.length === 2 && d.every(isNonNegInt))) {
    if (pad[0]![0] !== 0 || pad[0]![1] !== 0 || pad[3]![0] !== 0 || pad[3]![1] !== 0)
      throw new InvalidArgumentError(`${op}: explicit padding may not pad the batch or channel dimensions, got ${JSON.stringify(pad)}`);
    p = { top: pad[1]![0]!, bottom: pad[1]![1]!, left: pad[2]![0]!, right: pad[2]![1]! };
  } else {
    throw new InvalidArgumentError(
      `${op}: unknown pad ${JSON.stringify(pad)}; expected "same", "valid", a non-negative integer or [[0, 0], [top, bottom], [left, right], [0, 0]]`,
    );
  }
  if (rounding === undefined || rounding === "floor") return p;
  if (rounding !== "round" && rounding !== "ceil") throw new InvalidArgumentError(`${op}: dimRoundingMode must be "floor", "round" or "ceil", got ${JSON.stringify(rounding)}`);
  // Round the output size as TF.js does, then pad the far side so the floor rule gives it.
  const fit = (size: number, k: number, st: number, before: number, after: number): number => {
    const exact = (size + before + after - k) / st + 1;
    const out = rounding === "ceil" ? Math.ceil(exact) : Math.round(exact);
    return Math.max(after, (out - 1) * st + k - size - before);
  };
  return { ...p, bottom: fit(h, ek[0], s[0], p.top, p.bottom), right: fit(w, ek[1], s[1], p.left, p.right) };
}

/** Validated conv attrs for an NHWC input of spatial size h x w and a kh x kw filter. */
function convAttrs(op: string, h: number, w: number, kh: number, kw: number, strides: Size2D, pad: PadSpec, dilations: Size2D, rounding?: DimRoundingMode): ConvAttrs {
  const s = pair(op, "strides", strides);
  const d = pair(op, "dilations", dilations);
  checkStridesDilations(op, s, d);
  return { strides: s, pad: resolvePad(op, pad, rounding, h, w, [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1], s), dilations: d };
}

function poolAttrs(op: string, h: number, w: number, filterSize: Size2D, strides: Size2D, pad: PadSpec, rounding?: DimRoundingMode): PoolAttrs {
  const f = pair(op, "filterSize", filterSize);
  const s = pair(op, "strides", strides);
  checkStridesDilations(op, s, [1, 1]);
  return { filterSize: f, strides: s, pad: resolvePad(op, pad, rounding, h, w, f, s) };
}

function checkFormat(op: string, dataFormat: string): void {
  if (dataFormat !== "NHWC") throw new InvalidArgumentError(`${op}: only dataFormat "NHWC" is supported, got ${JSON.stringify(dataFormat)}`);
}

function filterOf(op: string, filter: TensorLike, last = "outChannels"): Tensor {
  const f = toTensor(filter, `${op} (filter)`);
  if (f.rank !== 4) throw new ShapeError(`${op}: filter must be rank 4 [filterHeight, filterWidth, inChannels, ${last}], got filter ${shapeStr(f.shape)}`);
  return f;
}

/** Run `body` on x as rank 4, accepting rank 3 (HWC) as a batch of one and returning rank 3 for it. */
function batched(op: string, x: TensorLike, body: (x4: Tensor) => Tensor): Tensor {
  return tidy(() => {
    const t = toTensor(x, `${op} (x)`);
    if (t.rank === 4) return body(t);
    if (t.rank !== 3) throw new ShapeError(`${op}: x must be rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got x ${shapeStr(t.shape)}`);
    const y = body(runOp("reshape", [t], { shape: [1, ...t.shape] })[0]!);
    return runOp("reshape", [y], { shape: y.shape.slice(1) })[0]!;
  });
}

/**
 * 2-D convolution (cross-correlation as in TensorFlow) of x [batch, h, w, inChannels] with
 * filter [fh, fw, inChannels, outChannels].
 * @example conv2d(ones([1, 3, 3, 1]), ones([2, 2, 1, 1]), 1, "valid") // 4s, shape [1, 2, 2, 1]
 */
export function conv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: Size2D,
  pad: PadSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Size2D = 1,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  checkFormat("conv2d", dataFormat);
  return batched("conv2d", x, (x4) => {
    const f = filterOf("conv2d", filter);
    const attrs = convAttrs("conv2d", x4.shape[1]!, x4.shape[2]!, f.shape[0]!, f.shape[1]!, strides, pad, dilations, dimRoundingMode);
    const out = runOp("conv2d", [x4, f], attrs)[0]!;
    noteHeavyOp("conv2d", out.size * f.shape[0]! * f.shape[1]! * f.shape[2]!, out);
    return out;
  });
}

/**
 * Depthwise 2-D convolution: each input channel c is convolved with filter[:, :, c, k] for
 * k < channelMultiplier, giving output channel c * channelMultiplier + k.
 * @example depthwiseConv2d(ones([1, 3, 3, 2]), ones([3, 3, 2, 2]), 1, "same") // shape [1, 3, 3, 4]
 */
export function depthwiseConv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: Size2D,
  pad: PadSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Size2D = 1,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  checkFormat("depthwiseConv2d", dataFormat);
  return batched("depthwiseConv2d", x, (x4) => {
    const f = filterOf("depthwiseConv2d", filter, "channelMultiplier");
    const attrs = convAttrs("depthwiseConv2d", x4.shape[1]!, x4.shape[2]!, f.shape[0]!, f.shape[1]!, strides, pad, dilations, dimRoundingMode);
    return runOp("depthwiseConv2d", [x4, f], attrs)[0]!;
  });
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input): x is
 * [batch, h, w, inDepth], filter [fh, fw, outDepth, inDepth] as for the conv2d it reverses,
 * and `outputShape` is that conv2d's input shape. `pad` is that conv2d's padding.
 * @example conv2dTranspose(ones([1, 2, 2, 1]), ones([2, 2, 1, 1]), [1, 3, 3, 1], 1, "valid") // [[1,2,1],[2,4,2],[1,2,1]]
 */
export function conv2dTranspose(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: Size2D,
  pad: PadSpec,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const op = "conv2dTranspose";
  return batched(op, x, (x4) => {
    if (!Array.isArray(outputShape) || (outputShape.length !== 3 && outputShape.length !== 4))
      throw new ShapeError(`${op}: outputShape must be rank 4 [batch, height, width, outDepth] or rank 3, got ${JSON.stringify(outputShape)}`);
    validateShape(outputShape, `${op}: outputShape`);
    const inputShape = outputShape.length === 3 ? [1, ...outputShape] : [...outputShape];
    const f = filterOf(op, filter);
    const attrs = { ...convAttrs(op, inputShape[1]!, inputShape[2]!, f.shape[0]!, f.shape[1]!, strides, pad, 1, dimRoundingMode), inputShape };
    conv2dBackpropInputGeometry(op, x4.shape, f.shape, attrs, "x");
    return runOp("conv2dBackpropInput", [x4, f], attrs)[0]!;
  });
}

/**
 * Max over each filterSize window per channel; with "same" padding the padding never wins.
 * @example maxPool(tensor([1, 2, 3, 4], [1, 2, 2, 1]), 2, 2, "valid") // [[[[4]]]]
 */
export function maxPool(x: TensorLike, filterSize: Size2D, strides: Size2D, pad: PadSpec, dimRoundingMode?: DimRoundingMode): Tensor {
  return batched("maxPool", x, (x4) => runOp("maxPool", [x4], poolAttrs("maxPool", x4.shape[1]!, x4.shape[2]!, filterSize, strides, pad, dimRoundingMode))[0]!);
}

/**
 * Mean over each filterSize window per channel, counting only unpadded elements (as TF).
 * @example avgPool(tensor([1, 2, 3, 4], [1, 2, 2, 1]), 2, 1, "same") // [[[[2.5],[3]],[[3.5],[4]]]]
 */
export function avgPool(x: TensorLike, filterSize: Size2D, strides: Size2D, pad: PadSpec, dimRoundingMode?: DimRoundingMode): Tensor {
  return batched("avgPool", x, (x4) => runOp("avgPool", [x4], poolAttrs("avgPool", x4.shape[1]!, x4.shape[2]!, filterSize, strides, pad, dimRoundingMode))[0]!);
}

/** Tensor methods contributed by this module. */
export const convMethods = { conv2d, depthwiseConv2d, conv2dTranspose, maxPool, avgPool };
