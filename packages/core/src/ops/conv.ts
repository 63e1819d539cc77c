/**
 * Convolution and pooling in NHWC: conv2d and depthwiseConv2d with their backprop primitives
 * (conv2dBackpropInput is the transposed convolution), maxPool, avgPool and their gradients.
 * Attrs are explicit numbers: strides [sh, sw], dilations [dh, dw], pad {top, bottom, left,
 * right}; the API resolves "same"/"valid". Every op here is linear in each tensor argument.
 * The reference loops live in conv-ref.ts.
 */
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapeStr, validateShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { defineOp, optional, type OpTestCase, type TensorSpec } from "./def.js";
import {
  avgPoolByPatches, avgPoolGradByPatches, conv2dByMatmul, conv2dFilterGrad, conv2dInputGrad, depthwiseByPatches, depthwiseFilterGrad, depthwiseInputGrad,
  maxPoolByPatches, maxPoolGradByPatches, maxPoolGradGradByPatches,
} from "./decompose-conv.js";
import { P } from "./primitives.js";
import { forEachWindow, conv2dRef, conv2dBackpropInputRef, conv2dBackpropFilterRef, depthwiseRef, depthwiseBackpropInputRef, depthwiseBackpropFilterRef, forEachArgmax } from "./conv-ref.js";

/** Explicit zero padding of the two spatial dimensions, in elements. */
export interface Pad4 {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Attrs of conv2d and depthwiseConv2d. */
export interface ConvAttrs {
  readonly strides: readonly [number, number];
  readonly pad: Pad4;
  readonly dilations: readonly [number, number];
}
/** Attrs of the input-gradient primitives: the shape of the forward input x (NHWC). */
export interface ConvInputGradAttrs extends ConvAttrs {
  readonly inputShape: readonly number[];
}
/** Attrs of the filter-gradient primitives: the shape of the forward filter. */
export interface ConvFilterGradAttrs extends ConvAttrs {
  readonly filterShape: readonly number[];
}
/** Attrs of maxPool, avgPool and maxPool's gradient primitives. */
export interface PoolAttrs {
  readonly filterSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pad: Pad4;
}
/** Attrs of avgPoolGrad: the shape of the forward input x (NHWC). */
export interface PoolGradAttrs extends PoolAttrs {
  readonly inputShape: readonly number[];
}

// ---------------------------------------------------------------------------------------
// Geometry: validation and output sizes, shared by infer, the API and the kernels.

/** The window geometry of one op call; `h, w, c` are the input's, `oh, ow` the output's. */
export interface WindowGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly pt: number;
  readonly pl: number;
  readonly oh: number;
  readonly ow: number;
}

const isPosInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
const isNonNegInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const pairStr = (p: unknown): string => (Array.isArray(p) ? `[${p.join(",")}]` : JSON.stringify(p));
const padStr = (p: Pad4): string => `pad top ${p.top}, bottom ${p.bottom}, left ${p.left}, right ${p.right}`;

/**
 * Check strides and dilations: pairs of positive integers, and (as in TensorFlow) not both
 * above 1 in the same call.
 */
export function checkStridesDilations(op: string, strides: unknown, dilations: unknown): void {
  if (!Array.isArray(strides) || strides.length !== 2 || !strides.every(isPosInt))
    throw new InvalidArgumentError(`${op}: strides must be positive integers [strideHeight, strideWidth], got ${pairStr(strides)}`);
  if (!Array.isArray(dilations) || dilations.length !== 2 || !dilations.every(isPosInt))
    throw new InvalidArgumentError(`${op}: dilations must be positive integers [dilationHeight, dilationWidth], got ${pairStr(dilations)}`);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1))
    throw new InvalidArgumentError(`${op}: strides ${pairStr(strides)} and dilations ${pairStr(dilations)} are both above 1; one of them must be 1`);
}

function checkPad(op: string, pad: Pad4): void {
  if (typeof pad !== "object" || pad === null || ![pad.top, pad.bottom, pad.left, pad.right].every(isNonNegInt))
    throw new InvalidArgumentError(`${op}: pad must be {top, bottom, left, right} of non-negative integers, got ${JSON.stringify(pad)}`);
}

/**
 * TensorFlow's SAME padding of one dimension: the output has ceil(in / stride) elements and
 * total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), split with the smaller
 * half (floor(total / 2)) before and the rest after.
 */
export function samePad(inSize: number, k: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output length of one dimension: floor((in + padBefore + padAfter - ((k - 1) d + 1)) / s) + 1. */
export function windowOutSize(inSize: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - ((k - 1) * dilation + 1)) / stride) + 1;
}

function rank4(op: string, what: string, shape: readonly number[], layout: string): void {
  if (shape.length !== 4) throw new ShapeError(`${op}: ${what} must be rank 4 ${layout}, got ${what} ${shapeStr(shape)}`);
}

/**
 * Validate attrs against an NHWC input shape and a kh x kw window, and compute the output
 * size. `desc` names the shapes for error messages.
 */
export function windowGeometry(
  op: string,
  xShape: readonly number[],
  kh: number,
  kw: number,
  a: { readonly strides: readonly [number, number]; readonly pad: Pad4; readonly dilations?: readonly [number, number] },
  desc: string,
): WindowGeometry {
  const dil = a.dilations ?? [1, 1];
  checkStridesDilations(op, a.strides, dil);
  checkPad(op, a.pad);
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [sh, sw] = a.strides;
  const [dh, dw] = dil;
  const ekh = (kh - 1) * dh + 1;
  const ekw = (kw - 1) * dw + 1;
  const ph = h + a.pad.top + a.pad.bottom;
  const pw = w + a.pad.left + a.pad.right;
  if (kh < 1 || kw < 1) throw new ShapeError(`${op}: the window ${kh}x${kw} is empty (${desc})`);
  if (ekh > ph || ekw > pw)
    throw new ShapeError(
      `${op}: the ${kh}x${kw} window${dh > 1 || dw > 1 ? ` (dilated to ${ekh}x${ekw})` : ""} is larger than the padded input ${ph}x${pw} (${desc}, ${padStr(a.pad)})`,
    );
  return {
    n, h, w, c, kh, kw, sh, sw, dh, dw,
    pt: a.pad.top,
    pl: a.pad.left,
    oh: windowOutSize(h, kh, sh, dh, a.pad.top, a.pad.bottom),
    ow: windowOutSize(w, kw, sw, dw, a.pad.left, a.pad.right),
  };
}

/** conv2d's shape rule under `op`'s name (also used by the API of conv2dTranspose). */
export function conv2dGeometry(op: string, xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): WindowGeometry {
  const desc = `x ${shapeStr(xShape)}, filter ${shapeStr(wShape)}`;
  rank4(op, "x", xShape, "[batch, height, width, inChannels]");
  rank4(op, "filter", wShape, "[filterHeight, filterWidth, inChannels, outChannels]");
  if (wShape[2] !== xShape[3]) throw new ShapeError(`${op}: filter has ${wShape[2]} input channels but x has ${xShape[3]} (${desc})`);
  return windowGeometry(op, xShape, wShape[0]!, wShape[1]!, a, desc);
}

/** depthwiseConv2d's shape rule under `op`'s name. */
export function depthwiseGeometry(op: string, xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): WindowGeometry {
  const desc = `x ${shapeStr(xShape)}, filter ${shapeStr(wShape)}`;
  rank4(op, "x", xShape, "[batch, height, width, inChannels]");
  rank4(op, "filter", wShape, "[filterHeight, filterWidth, inChannels, channelMultiplier]");
  if (wShape[2] !== xShape[3]) throw new ShapeError(`${op}: filter has ${wShape[2]} input channels but x has ${xShape[3]} (${desc})`);
  return windowGeometry(op, xShape, wShape[0]!, wShape[1]!, a, desc);
}

/** A pool's shape rule: pads must be smaller than the window, so no window is all padding. */
export function poolGeometry(op: string, xShape: readonly number[], a: PoolAttrs): WindowGeometry {
  rank4(op, "x", xShape, "[batch, height, width, channels]");
  const f = a.filterSize;
  if (!Array.isArray(f) || f.length !== 2 || !f.every(isPosInt))
    throw new InvalidArgumentError(`${op}: filterSize must be positive integers [filterHeight, filterWidth], got ${pairStr(f)}`);
  const g = windowGeometry(op, xShape, f[0]!, f[1]!, a, `x ${shapeStr(xShape)}, filterSize ${pairStr(f)}`);
  if (a.pad.top >= f[0]! || a.pad.bottom >= f[0]! || a.pad.left >= f[1]! || a.pad.right >= f[1]!)
    throw new InvalidArgumentError(`${op}: padding must be smaller than the ${f[0]}x${f[1]} window, got ${padStr(a.pad)} (x ${shapeStr(xShape)})`);
  return g;
}

function checkShapeAttr(op: string, name: string, shape: readonly number[]): readonly number[] {
  const s = validateShape(shape, `${op}: ${name}`);
  if (s.length !== 4) throw new ShapeError(`${op}: ${name} must be rank 4, got ${shapeStr(s)}`);
  return s;
}

function expectShape(op: string, what: string, got: readonly number[], want: readonly number[], desc: string): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i]))
    throw new ShapeError(`${op}: ${what} has shape ${shapeStr(got)} but ${shapeStr(want)} was expected (${desc})`);
}

/**
 * The window geometry of a call: the plan dispatch resolved (`ResolvedOp.plan`) when the
 * kernel got one, else computed here (a reference kernel called directly).
 */
export function geometryOf(op: { readonly plan: unknown } | undefined, compute: () => WindowGeometry): WindowGeometry {
  return (op?.plan as WindowGeometry | undefined) ?? compute();
}

/** The forward output shape [n, oh, ow, channels]. */
const outShape = (g: WindowGeometry, channels: number): number[] => [g.n, g.oh, g.ow, channels];

/**
 * conv2dBackpropInput's shape rule under `op`'s name: dy (called `dyName` in messages) must
 * be conv2d's output for inputShape.
 */
export function conv2dBackpropInputGeometry(op: string, dyShape: readonly number[], wShape: readonly number[], a: ConvInputGradAttrs, dyName = "dy"): WindowGeometry {
  const xShape = checkShapeAttr(op, "inputShape", a.inputShape);
  const g = conv2dGeometry(op, xShape, wShape, a);
  expectShape(op, dyName, dyShape, outShape(g, wShape[3]!), `input shape ${shapeStr(xShape)}, filter ${shapeStr(wShape)}, strides ${pairStr(a.strides)}, ${padStr(a.pad)}`);
  return g;
}

// ---------------------------------------------------------------------------------------
// Gradient helpers, written with the primitives below (each is linear in every argument).

function run(name: "conv2d" | "depthwiseConv2d", inputs: Tensor[], attrs: ConvAttrs): Tensor;
function run(name: "conv2dBackpropInput" | "depthwiseConv2dBackpropInput", inputs: Tensor[], attrs: ConvInputGradAttrs): Tensor;
function run(name: "conv2dBackpropFilter" | "depthwiseConv2dBackpropFilter", inputs: Tensor[], attrs: ConvFilterGradAttrs): Tensor;
function run(name: "maxPoolGrad" | "maxPoolGradGrad" | "avgPool", inputs: Tensor[], attrs: PoolAttrs): Tensor;
function run(name: "avgPoolGrad", inputs: Tensor[], attrs: PoolGradAttrs): Tensor;
function run(name: string, inputs: Tensor[], attrs: object): Tensor {
  return (P.run as (n: string, i: Tensor[], a: object) => Tensor[])(name, inputs, attrs)[0]!;
}

/** The window attrs alone (drops inputShape / filterShape), as plain JSON. */
const convBase = (a: ConvAttrs): ConvAttrs => ({ strides: a.strides, pad: a.pad, dilations: a.dilations });
const poolBase = (a: PoolAttrs): PoolAttrs => ({ filterSize: a.filterSize, strides: a.strides, pad: a.pad });

// ---------------------------------------------------------------------------------------
// Test cases: odd sizes, stride 2, same and valid, batch > 1, 1x1 filters, dilation.

type Pair = readonly [number, number];

function pads(mode: "same" | "valid", h: number, w: number, k: Pair, s: Pair, d: Pair = [1, 1]): Pad4 {
  if (mode === "valid") return { top: 0, bottom: 0, left: 0, right: 0 };
  const [top, bottom] = samePad(h, k[0], s[0], d[0]);
  const [left, right] = samePad(w, k[1], s[1], d[1]);
  return { top, bottom, left, right };
}

interface ConvCase {
  readonly x: readonly number[];
  readonly f: readonly number[];
  readonly y: readonly number[];
  readonly attrs: ConvAttrs;
}

function convCase(x: readonly number[], f: readonly number[], s: Pair, mode: "same" | "valid", outChannels: number, d: Pair = [1, 1]): ConvCase {
  const attrs: ConvAttrs = { strides: s, pad: pads(mode, x[1]!, x[2]!, [f[0]!, f[1]!], s, d), dilations: d };
  const g = windowGeometry("test", x, f[0]!, f[1]!, attrs, "");
  return { x, f, y: [x[0]!, g.oh, g.ow, outChannels], attrs };
}

const CONV_CASES: ConvCase[] = [
  convCase([2, 5, 5, 2], [3, 3, 2, 3], [1, 1], "same", 3),
  convCase([1, 7, 6, 2], [3, 2, 2, 2], [2, 2], "valid", 2),
  convCase([2, 5, 7, 1], [1, 1, 1, 3], [2, 2], "same", 3),
  convCase([1, 6, 5, 1], [2, 2, 1, 2], [2, 1], "same", 2),
  convCase([1, 6, 6, 2], [3, 3, 2, 1], [1, 1], "valid", 1, [2, 2]),
];
const conv2dCases = (): OpTestCase<ConvAttrs>[] => [
  ...CONV_CASES.map((k) => ({ shapes: [k.x, k.f], attrs: k.attrs })),
  { shapes: [[0, 5, 5, 2], [3, 3, 2, 2]], attrs: convCase([0, 5, 5, 2], [3, 3, 2, 2], [1, 1], "same", 2).attrs },
  { shapes: [[1, 4, 4, 1], [2, 2, 1, 2]], attrs: { strides: [1, 2], pad: { top: 1, bottom: 0, left: 2, right: 1 }, dilations: [1, 1] } },
];

const DW_CASES: ConvCase[] = [
  convCase([2, 5, 5, 2], [3, 3, 2, 2], [1, 1], "same", 4),
  convCase([1, 7, 6, 3], [3, 2, 3, 1], [2, 2], "valid", 3),
  convCase([2, 5, 5, 2], [1, 1, 2, 2], [2, 2], "same", 4),
  convCase([1, 6, 6, 1], [2, 2, 1, 2], [1, 1], "same", 2, [2, 2]),
];

const POOL_CASES: { x: number[]; attrs: PoolAttrs }[] = [
  { x: [2, 5, 5, 2], attrs: { filterSize: [3, 3], strides: [2, 2], pad: pads("same", 5, 5, [3, 3], [2, 2]) } },
  { x: [1, 7, 6, 3], attrs: { filterSize: [2, 2], strides: [2, 2], pad: pads("valid", 7, 6, [2, 2], [2, 2]) } },
  { x: [1, 4, 5, 1], attrs: { filterSize: [3, 2], strides: [1, 1], pad: pads("same", 4, 5, [3, 2], [1, 1]) } },
  { x: [2, 3, 3, 2], attrs: { filterSize: [1, 1], strides: [2, 2], pad: pads("same", 3, 3, [1, 1], [2, 2]) } },
];
const poolOut = (x: readonly number[], a: PoolAttrs): number[] => {
  const g = poolGeometry("test", x, a);
  return [g.n, g.oh, g.ow, g.c];
};


// ---------------------------------------------------------------------------------------

export const convOps = {
  /**
   * 2-D convolution (cross-correlation), NHWC: x [n, h, w, c], filter [kh, kw, c, co] gives
   * [n, oh, ow, co]. Bilinear: y = conv(x, f).
   */
  conv2d: optional(defineOp<ConvAttrs>({
    name: "conv2d",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, f], a): TensorSpec[] => {
      const g = conv2dGeometry("conv2d", x!.shape, f!.shape, a);
      return [{ shape: outShape(g, f!.shape[3]!), dtype: x!.dtype }];
    },
    plan: ([x, f], a) => conv2dGeometry("conv2d", x!.shape, f!.shape, a),
    ref: ([x, f], [y], a, op) => conv2dRef(x!, f!, y!, geometryOf(op, () => conv2dGeometry("conv2d", x!.shape, f!.shape, a))),
    saves: { inputs: true },
    // <dy, conv(x, f)> = <conv2dBackpropInput(dy, f), x> = <conv2dBackpropFilter(x, dy), f>
    vjp: ([g], c) => {
      const [x, f] = c.inputs as [Tensor, Tensor];
      return [
        run("conv2dBackpropInput", [g!, f], { ...convBase(c.attrs), inputShape: [...x.shape] }),
        run("conv2dBackpropFilter", [x, g!], { ...convBase(c.attrs), filterShape: [...f.shape] }),
      ];
    },
    test: { cases: conv2dCases() },
  }), ([x, f], a) => [conv2dByMatmul(x!, f!, conv2dGeometry("conv2d", x!.shape, f!.shape, a), a.pad)]),

  /**
   * The adjoint of conv2d in x (the transposed convolution): dy [n, oh, ow, co] and filter
   * [kh, kw, c, co] give dx with attrs.inputShape [n, h, w, c].
   */
  conv2dBackpropInput: optional(defineOp<ConvInputGradAttrs>({
    name: "conv2dBackpropInput",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([dy, f], a) => {
      conv2dBackpropInputGeometry("conv2dBackpropInput", dy!.shape, f!.shape, a);
      return [{ shape: [...a.inputShape], dtype: dy!.dtype }];
    },
    plan: ([dy, f], a) => conv2dGeometry("conv2dBackpropInput", a.inputShape, f!.shape, a),
    ref: ([dy, f], [dx], a, op) => conv2dBackpropInputRef(dy!, f!, dx!, geometryOf(op, () => conv2dGeometry("conv2dBackpropInput", a.inputShape, f!.shape, a))),
    saves: { inputs: true },
    // z = conv(., f)^T dy is linear in dy and in f: d(dy) = conv(g, f), df = conv2dBackpropFilter(g, dy)
    vjp: ([g], c) => {
      const [dy, f] = c.inputs as [Tensor, Tensor];
      return [run("conv2d", [g!, f], convBase(c.attrs)), run("conv2dBackpropFilter", [g!, dy], { ...convBase(c.attrs), filterShape: [...f.shape] })];
    },
    test: {
      cases: CONV_CASES.map((k) => ({ shapes: [k.y, k.f], attrs: { ...k.attrs, inputShape: k.x } })),
    },
  }), ([dy, f], a) => [conv2dInputGrad(dy!, f!, conv2dGeometry("conv2dBackpropInput", a.inputShape, f!.shape, a), a.pad)]),

  /**
   * The adjoint of conv2d in the filter: x [n, h, w, c] and dy [n, oh, ow, co] give df with
   * attrs.filterShape [kh, kw, c, co].
   */
  conv2dBackpropFilter: optional(defineOp<ConvFilterGradAttrs>({
    name: "conv2dBackpropFilter",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, dy], a) => {
      const op = "conv2dBackpropFilter";
      const fShape = checkShapeAttr(op, "filterShape", a.filterShape);
      const g = conv2dGeometry(op, x!.shape, fShape, a);
      expectShape(op, "dy", dy!.shape, outShape(g, fShape[3]!), `x ${shapeStr(x!.shape)}, filter shape ${shapeStr(fShape)}`);
      return [{ shape: [...fShape], dtype: x!.dtype }];
    },
    plan: ([x, dy], a) => conv2dGeometry("conv2dBackpropFilter", x!.shape, a.filterShape, a),
    ref: ([x, dy], [df], a, op) => conv2dBackpropFilterRef(x!, dy!, df!, geometryOf(op, () => conv2dGeometry("conv2dBackpropFilter", x!.shape, a.filterShape, a))),
    saves: { inputs: true },
    // z = conv(x, .)^T dy is linear in x and in dy: dx = conv2dBackpropInput(dy, g), d(dy) = conv(x, g)
    vjp: ([g], c) => {
      const [x, dy] = c.inputs as [Tensor, Tensor];
      return [run("conv2dBackpropInput", [dy, g!], { ...convBase(c.attrs), inputShape: [...x.shape] }), run("conv2d", [x, g!], convBase(c.attrs))];
    },
    test: {
      cases: CONV_CASES.map((k) => ({ shapes: [k.x, k.y], attrs: { ...k.attrs, filterShape: k.f } })),
    },
  }), ([x, dy], a) => [conv2dFilterGrad(x!, dy!, conv2dGeometry("conv2dBackpropFilter", x!.shape, a.filterShape, a), a.pad, a.filterShape)]),

  /**
   * Depthwise 2-D convolution, NHWC: x [n, h, w, c], filter [kh, kw, c, m] gives
   * [n, oh, ow, c * m]; output channel ci * m + k convolves input channel ci with filter[., ., ci, k].
   */
  depthwiseConv2d: optional(defineOp<ConvAttrs>({
    name: "depthwiseConv2d",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, f], a) => {
      const g = depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a);
      return [{ shape: outShape(g, f!.shape[2]! * f!.shape[3]!), dtype: x!.dtype }];
    },
    plan: ([x, f], a) => depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a),
    ref: ([x, f], [y], a, op) => depthwiseRef(x!, f!, y!, geometryOf(op, () => depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a))),
    saves: { inputs: true },
    // <dy, dw(x, f)> = <depthwiseConv2dBackpropInput(dy, f), x> = <depthwiseConv2dBackpropFilter(x, dy), f>
    vjp: ([g], c) => {
      const [x, f] = c.inputs as [Tensor, Tensor];
      return [
        run("depthwiseConv2dBackpropInput", [g!, f], { ...convBase(c.attrs), inputShape: [...x.shape] }),
        run("depthwiseConv2dBackpropFilter", [x, g!], { ...convBase(c.attrs), filterShape: [...f.shape] }),
      ];
    },
    test: { cases: DW_CASES.map((k) => ({ shapes: [k.x, k.f], attrs: k.attrs })) },
  }), ([x, f], a) => [depthwiseByPatches(x!, f!, depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a), a.pad)]),

  /** The adjoint of depthwiseConv2d in x: dy and filter [kh, kw, c, m] give dx with attrs.inputShape. */
  depthwiseConv2dBackpropInput: optional(defineOp<ConvInputGradAttrs>({
    name: "depthwiseConv2dBackpropInput",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([dy, f], a) => {
      const op = "depthwiseConv2dBackpropInput";
      const xShape = checkShapeAttr(op, "inputShape", a.inputShape);
      const g = depthwiseGeometry(op, xShape, f!.shape, a);
      expectShape(op, "dy", dy!.shape, outShape(g, f!.shape[2]! * f!.shape[3]!), `input shape ${shapeStr(xShape)}, filter ${shapeStr(f!.shape)}`);
      return [{ shape: [...xShape], dtype: dy!.dtype }];
    },
    plan: ([dy, f], a) => depthwiseGeometry("depthwiseConv2dBackpropInput", a.inputShape, f!.shape, a),
    ref: ([dy, f], [dx], a, op) => depthwiseBackpropInputRef(dy!, f!, dx!, geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropInput", a.inputShape, f!.shape, a))),
    saves: { inputs: true },
    // linear in dy and in f: d(dy) = dw(g, f), df = depthwiseConv2dBackpropFilter(g, dy)
    vjp: ([g], c) => {
      const [dy, f] = c.inputs as [Tensor, Tensor];
      return [
        run("depthwiseConv2d", [g!, f], convBase(c.attrs)),
        run("depthwiseConv2dBackpropFilter", [g!, dy], { ...convBase(c.attrs), filterShape: [...f.shape] }),
      ];
    },
    test: { cases: DW_CASES.map((k) => ({ shapes: [k.y, k.f], attrs: { ...k.attrs, inputShape: k.x } })) },
  }), ([dy, f], a) => [depthwiseInputGrad(dy!, f!, depthwiseGeometry("depthwiseConv2dBackpropInput", a.inputShape, f!.shape, a), a.pad)]),

  /** The adjoint of depthwiseConv2d in the filter: x and dy give df with attrs.filterShape [kh, kw, c, m]. */
  depthwiseConv2dBackpropFilter: optional(defineOp<ConvFilterGradAttrs>({
    name: "depthwiseConv2dBackpropFilter",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, dy], a) => {
      const op = "depthwiseConv2dBackpropFilter";
      const fShape = checkShapeAttr(op, "filterShape", a.filterShape);
      const g = depthwiseGeometry(op, x!.shape, fShape, a);
      expectShape(op, "dy", dy!.shape, outShape(g, fShape[2]! * fShape[3]!), `x ${shapeStr(x!.shape)}, filter shape ${shapeStr(fShape)}`);
      return [{ shape: [...fShape], dtype: x!.dtype }];
    },
    plan: ([x, dy], a) => depthwiseGeometry("depthwiseConv2dBackpropFilter", x!.shape, a.filterShape, a),
    ref: ([x, dy], [df], a, op) => depthwiseBackpropFilterRef(x!, dy!, df!, geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropFilter", x!.shape, a.filterShape, a))),
    saves: { inputs: true },
    // linear in x and in dy: dx = depthwiseConv2dBackpropInput(dy, g), d(dy) = dw(x, g)
    vjp: ([g], c) => {
      const [x, dy] = c.inputs as [Tensor, Tensor];
      return [
        run("depthwiseConv2dBackpropInput", [dy, g!], { ...convBase(c.attrs), inputShape: [...x.shape] }),
        run("depthwiseConv2d", [x, g!], convBase(c.attrs)),
      ];
    },
    test: { cases: DW_CASES.map((k) => ({ shapes: [k.x, k.y], attrs: { ...k.attrs, filterShape: k.f } })) },
  }), ([x, dy], a) => [depthwiseFilterGrad(x!, dy!, depthwiseGeometry("depthwiseConv2dBackpropFilter", x!.shape, a.filterShape, a), a.pad, a.filterShape)]),

  /** Max over each window per channel, NHWC; padding never wins (it is -infinity). */
  maxPool: optional(defineOp<PoolAttrs>({
    name: "maxPool",
    family: "conv",
    arity: 1,
    promote: "float",
    infer: ([x], a) => [{ shape: outShape(poolGeometry("maxPool", x!.shape, a), x!.shape[3]!), dtype: x!.dtype }],
    plan: ([x], a) => poolGeometry("maxPool", x!.shape, a),
    ref: ([x], [y], a, op) => {
      const X = x!.data;
      const Y = y!.data;
      const c = x!.shape[3]!;
      forEachArgmax(x!, geometryOf(op, () => poolGeometry("maxPool", x!.shape, a)), (o, arg) => {
        for (let ci = 0; ci < c; ci++) Y[o * c + ci] = X[arg[ci]!]!;
      });
    },
    saves: { inputs: true },
    // d(max over window) = dy routed to the window's (first) argmax: maxPoolGrad(x, dy)
    vjp: ([g], c) => [run("maxPoolGrad", [c.inputs[0]!, g!], poolBase(c.attrs))],
    test: { cases: POOL_CASES.map((p) => ({ shapes: [p.x], attrs: p.attrs })) },
  }), ([x], a) => [maxPoolByPatches(x!, poolGeometry("maxPool", x!.shape, a), a.pad)]),

  /**
   * maxPool's input gradient: x and dy (maxPool's output shape) give dx (x's shape), each
   * dy added at the first maximum of its window.
   */
  maxPoolGrad: optional(defineOp<PoolAttrs>({
    name: "maxPoolGrad",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, dy], a) => {
      const g = poolGeometry("maxPoolGrad", x!.shape, a);
      expectShape("maxPoolGrad", "dy", dy!.shape, outShape(g, g.c), `x ${shapeStr(x!.shape)}, filterSize ${pairStr(a.filterSize)}, strides ${pairStr(a.strides)}, ${padStr(a.pad)}`);
      return [{ shape: x!.shape, dtype: dy!.dtype }];
    },
    plan: ([x, dy], a) => poolGeometry("maxPoolGrad", x!.shape, a),
    ref: ([x, dy], [dx], a, op) => {
      const DY = dy!.data;
      const c = x!.shape[3]!;
      const acc = new Float64Array(dx!.size);
      forEachArgmax(x!, geometryOf(op, () => poolGeometry("maxPoolGrad", x!.shape, a)), (o, arg) => {
        for (let ci = 0; ci < c; ci++) acc[arg[ci]!]! += DY[o * c + ci]!;
      });
      dx!.data.set(acc);
    },
    saves: { inputs: true },
    // Piecewise constant in x (zero gradient); linear in dy, whose adjoint gathers at the argmax.
    vjp: ([g], c) => [null, run("maxPoolGradGrad", [c.inputs[0]!, g!], poolBase(c.attrs))],
    test: { cases: POOL_CASES.map((p) => ({ shapes: [p.x, poolOut(p.x, p.attrs)], attrs: p.attrs })) },
  }), ([x, dy], a) => [maxPoolGradByPatches(x!, dy!, poolGeometry("maxPoolGrad", x!.shape, a), a.pad)]),

  /**
   * The adjoint of maxPoolGrad in dy: x and a tensor of x's shape give maxPool's output
   * shape, reading each window's (first) argmax.
   */
  maxPoolGradGrad: optional(defineOp<PoolAttrs>({
    name: "maxPoolGradGrad",
    family: "conv",
    arity: 2,
    promote: "float",
    infer: ([x, ddx], a) => {
      const g = poolGeometry("maxPoolGradGrad", x!.shape, a);
      expectShape("maxPoolGradGrad", "the gradient input", ddx!.shape, x!.shape, `x ${shapeStr(x!.shape)}`);
      return [{ shape: outShape(g, g.c), dtype: ddx!.dtype }];
    },
    plan: ([x, ddx], a) => poolGeometry("maxPoolGradGrad", x!.shape, a),
    ref: ([x, ddx], [y], a, op) => {
      const D = ddx!.data;
      const Y = y!.data;
      const c = x!.shape[3]!;
      forEachArgmax(x!, geometryOf(op, () => poolGeometry("maxPoolGradGrad", x!.shape, a)), (o, arg) => {
        for (let ci = 0; ci < c; ci++) Y[o * c + ci] = D[arg[ci]!]!;
      });
    },
    saves: { inputs: true },
    // Piecewise constant in x; linear in ddx with adjoint maxPoolGrad(x, dy).
    vjp: ([g], c) => [null, run("maxPoolGrad", [c.inputs[0]!, g!], poolBase(c.attrs))],
    test: { cases: POOL_CASES.map((p) => ({ shapes: [p.x, p.x], attrs: p.attrs })) },
  }), ([x, ddx], a) => [maxPoolGradGradByPatches(x!, ddx!, poolGeometry("maxPoolGradGrad", x!.shape, a), a.pad)]),

  /** Mean over each window per channel, NHWC, dividing by the number of unpadded elements (as TF). */
  avgPool: optional(defineOp<PoolAttrs>({
    name: "avgPool",
    family: "conv",
    arity: 1,
    promote: "float",
    infer: ([x], a) => [{ shape: outShape(poolGeometry("avgPool", x!.shape, a), x!.shape[3]!), dtype: x!.dtype }],
    plan: ([x], a) => poolGeometry("avgPool", x!.shape, a),
    ref: ([x], [y], a, op) => {
      const X = x!.data;
      const Y = y!.data;
      const c = x!.shape[3]!;
      const acc = new Float64Array(c);
      forEachWindow(geometryOf(op, () => poolGeometry("avgPool", x!.shape, a)), (o, inPixels, _taps, count) => {
        acc.fill(0);
        for (let t = 0; t < count; t++) {
          const xo = inPixels[t]! * c;
          for (let ci = 0; ci < c; ci++) acc[ci]! += X[xo + ci]!;
        }
        for (let ci = 0; ci < c; ci++) Y[o * c + ci] = acc[ci]! / count;
      });
    },
    saves: {},
    // y[o] = sum_{i in window o} x[i] / count(o), so dx[i] = sum_{o containing i} dy[o] / count(o)
    vjp: ([g], c) => [run("avgPoolGrad", [g!], { ...poolBase(c.attrs), inputShape: [...c.inputSpecs[0]!.shape] })],
    test: { cases: POOL_CASES.map((p) => ({ shapes: [p.x], attrs: p.attrs })) },
  }), ([x], a) => [avgPoolByPatches(x!, poolGeometry("avgPool", x!.shape, a), a.pad)]),

  /** avgPool's input gradient: dy (avgPool's output shape) gives dx with attrs.inputShape. */
  avgPoolGrad: optional(defineOp<PoolGradAttrs>({
    name: "avgPoolGrad",
    family: "conv",
    arity: 1,
    promote: "float",
    infer: ([dy], a) => {
      const xShape = checkShapeAttr("avgPoolGrad", "inputShape", a.inputShape);
      const g = poolGeometry("avgPoolGrad", xShape, a);
      expectShape("avgPoolGrad", "dy", dy!.shape, outShape(g, g.c), `input shape ${shapeStr(xShape)}, filterSize ${pairStr(a.filterSize)}`);
      return [{ shape: [...xShape], dtype: dy!.dtype }];
    },
    plan: ([dy], a) => poolGeometry("avgPoolGrad", a.inputShape, a),
    ref: ([dy], [dx], a, op) => {
      const DY = dy!.data;
      const c = a.inputShape[3]!;
      const acc = new Float64Array(dx!.size);
      forEachWindow(geometryOf(op, () => poolGeometry("avgPoolGrad", a.inputShape, a)), (o, inPixels, _taps, count) => {
        for (let t = 0; t < count; t++) {
          const xo = inPixels[t]! * c;
          for (let ci = 0; ci < c; ci++) acc[xo + ci]! += DY[o * c + ci]! / count;
        }
      });
      dx!.data.set(acc);
    },
    saves: {},
    // Linear in dy; its adjoint is avgPool itself: d(dy) = avgPool(g)
    vjp: ([g], c) => [run("avgPool", [g!], poolBase(c.attrs))],
    test: { cases: POOL_CASES.map((p) => ({ shapes: [poolOut(p.x, p.attrs)], attrs: { ...p.attrs, inputShape: p.x } })) },
  }), ([dy], a) => [avgPoolGradByPatches(dy!, poolGeometry("avgPoolGrad", a.inputShape, a), a.pad)]),
};
