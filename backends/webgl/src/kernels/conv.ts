/**
 * The conv family (NHWC): conv2d, depthwiseConv2d, their input and filter gradients, and max
 * and average pooling with their gradients. One template shape: a thread per output element
 * loops over the window taps (and channels) that reach it, skipping padding. Gradients are
 * written from the output's side (gathers, never scatters), so no thread writes twice.
 */
import { conv2dGeometry, depthwiseGeometry, geometryOf, poolGeometry, type Attrs, type WindowGeometry } from "@eager/core/backend";
import { KernelBuilder } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";

/** Geometry uniforms of one call: input h, w, c; output oh, ow; window, strides, dilations, pads. */
interface Geo {
  h: string; w: string; c: string; oh: string; ow: string; kh: string; kw: string;
  sh: string; sw: string; dh: string; dw: string; pt: string; pl: string;
}

/** The uniforms of the call's window plan. */
function geometry(b: KernelBuilder, g: WindowGeometry): Geo {
  return {
    h: b.num(g.h), w: b.num(g.w), c: b.num(g.c), oh: b.num(g.oh), ow: b.num(g.ow), kh: b.num(g.kh), kw: b.num(g.kw),
    sh: b.num(g.sh), sw: b.num(g.sw), dh: b.num(g.dh), dw: b.num(g.dw), pt: b.num(g.pt), pl: b.num(g.pl),
  };
}

/** Open loops over the taps of output pixel (oy, ox) that fall inside the input; declares iy, ix, ky, kx. */
function forwardTaps(b: KernelBuilder, g: Geo, oy: string, ox: string): void {
  b.line(`for (let ky = 0.0; ky < ${g.kh}; ky++) {`, `const iy = ${oy} * ${g.sh} - ${g.pt} + ky * ${g.dh};`, `if (iy >= 0.0 && iy < ${g.h}) {`);
  b.line(`for (let kx = 0.0; kx < ${g.kw}; kx++) {`, `const ix = ${ox} * ${g.sw} - ${g.pl} + kx * ${g.dw};`, `if (ix >= 0.0 && ix < ${g.w}) {`);
}

/** Open loops over the output pixels (oy, ox) whose window tap (ky, kx) lands on input pixel (iy, ix). */
function backwardTaps(b: KernelBuilder, g: Geo, iy: string, ix: string): void {
  b.line(`for (let ky = 0.0; ky < ${g.kh}; ky++) {`, `const ty = ${iy} + ${g.pt} - ky * ${g.dh};`, `const oy = Math.floor((ty + 0.5) / ${g.sh});`);
  b.line(`if (ty >= 0.0 && oy * ${g.sh} == ty && oy < ${g.oh}) {`);
  b.line(`for (let kx = 0.0; kx < ${g.kw}; kx++) {`, `const tx = ${ix} + ${g.pl} - kx * ${g.dw};`, `const ox = Math.floor((tx + 0.5) / ${g.sw});`);
  b.line(`if (tx >= 0.0 && ox * ${g.sw} == tx && ox < ${g.ow}) {`);
}

const CLOSE_TAPS = "}\n}\n}\n}";

type ConvA = Attrs<"conv2d"> & { inputShape?: readonly number[]; filterShape?: readonly number[] };

/** conv2d (depthwise: per-channel) forward. */
function convForward(ctx: KernelContext, op: string, x: GlTensor, f: GlTensor, y: GlTensor, a: ConvA, depthwise: boolean, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const F = b.tensor(ctx.in(op, f));
  const g = geometry(b, win);
  const [n, oy, ox, j] = b.unravel("i", y.shape, "c");
  const co = b.num(f.shape[3]!);
  b.line(`let acc = 0.0;`);
  if (depthwise) b.line(`const ci = Math.floor((${j} + 0.5) / ${co});`, `const q = ${j} - ci * ${co};`);
  forwardTaps(b, g, oy!, ox!);
  b.line(`const xo = ((${n} * ${g.h} + iy) * ${g.w} + ix) * ${g.c};`, `const fo = (ky * ${g.kw} + kx) * ${g.c};`);
  if (depthwise) b.line(`acc = acc + ${X}[xo + ci] * ${F}[(fo + ci) * ${co} + q];`);
  else b.line(`for (let ci = 0.0; ci < ${g.c}; ci++) { acc = acc + ${X}[xo + ci] * ${F}[(fo + ci) * ${co} + ${j}]; }`);
  b.line(CLOSE_TAPS);
  ctx.run(op, y, b, "acc");
}

/** dx of conv2d (depthwise: per-channel): each input pixel gathers the outputs its taps reached. */
function convBackpropInput(ctx: KernelContext, op: string, dy: GlTensor, f: GlTensor, dx: GlTensor, a: ConvA, depthwise: boolean, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const DY = b.tensor(ctx.in(op, dy));
  const F = b.tensor(ctx.in(op, f));
  const g = geometry(b, win);
  const [n, iy, ix, ci] = b.unravel("i", dx.shape, "c");
  const m = b.num(f.shape[3]!);
  const yc = b.num(dy.shape[3]!);
  b.line(`let acc = 0.0;`);
  backwardTaps(b, g, iy!, ix!);
  b.line(`const yo = ((${n} * ${g.oh} + oy) * ${g.ow} + ox) * ${yc};`, `const fo = ((ky * ${g.kw} + kx) * ${g.c} + ${ci}) * ${m};`);
  if (depthwise) b.line(`for (let q = 0.0; q < ${m}; q++) { acc = acc + ${DY}[yo + ${ci} * ${m} + q] * ${F}[fo + q]; }`);
  else b.line(`for (let j = 0.0; j < ${m}; j++) { acc = acc + ${DY}[yo + j] * ${F}[fo + j]; }`);
  b.line(CLOSE_TAPS);
  ctx.run(op, dx, b, "acc");
}

/** dfilter of conv2d (depthwise: per-channel): each tap sums x * dy over every output pixel. */
function convBackpropFilter(ctx: KernelContext, op: string, x: GlTensor, dy: GlTensor, df: GlTensor, a: ConvA, depthwise: boolean, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const DY = b.tensor(ctx.in(op, dy));
  const g = geometry(b, win);
  const [ky, kx, ci, j] = b.unravel("i", df.shape, "c");
  const yc = b.num(dy.shape[3]!);
  const m = b.num(df.shape[3]!);
  b.line(`const yj = ${depthwise ? `${ci} * ${m} + ${j}` : j};`, `let acc = 0.0;`);
  b.line(`for (let n = 0.0; n < ${b.num(x.shape[0]!)}; n++) {`);
  b.line(`for (let oy = 0.0; oy < ${g.oh}; oy++) {`, `const iy = oy * ${g.sh} - ${g.pt} + ${ky} * ${g.dh};`, `if (iy >= 0.0 && iy < ${g.h}) {`);
  b.line(`for (let ox = 0.0; ox < ${g.ow}; ox++) {`, `const ix = ox * ${g.sw} - ${g.pl} + ${kx} * ${g.dw};`, `if (ix >= 0.0 && ix < ${g.w}) {`);
  b.line(`acc = acc + ${X}[((n * ${g.h} + iy) * ${g.w} + ix) * ${g.c} + ${ci}] * ${DY}[((n * ${g.oh} + oy) * ${g.ow} + ox) * ${yc} + yj];`);
  b.line(CLOSE_TAPS, "}");
  ctx.run(op, df, b, "acc");
}

/**
 * Declare `best`, `arg` (flat x offset of the first maximum; NaN wins) over the window of
 * output pixel (oy, ox), channel ci, batch n.
 */
function windowArgmax(b: KernelBuilder, X: string, g: Geo, n: string, oy: string, ox: string, ci: string, suffix: string): void {
  b.line(`let best${suffix} = 0.0;`, `let arg${suffix} = -1.0;`);
  forwardTaps(b, g, oy, ox);
  b.line(`const at = ((${n} * ${g.h} + iy) * ${g.w} + ix) * ${g.c} + ${ci};`, `const v = ${X}[at];`);
  b.line(`if (arg${suffix} < 0.0 || v > best${suffix} || (v != v && best${suffix} == best${suffix})) { best${suffix} = v; arg${suffix} = at; }`);
  b.line(CLOSE_TAPS);
}

type PoolA = Attrs<"maxPool"> & { inputShape?: readonly number[] };

function pool(ctx: KernelContext, op: "maxPool" | "avgPool" | "maxPoolGradGrad", x: GlTensor, extra: GlTensor | null, y: GlTensor, a: PoolA, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const D = extra ? b.tensor(ctx.in(op, extra)) : "";
  const g = geometry(b, win);
  const [n, oy, ox, ci] = b.unravel("i", y.shape, "c");
  if (op === "avgPool") {
    b.line(`let acc = 0.0;`, `let count = 0.0;`);
    forwardTaps(b, g, oy!, ox!);
    b.line(`acc = acc + ${X}[((${n} * ${g.h} + iy) * ${g.w} + ix) * ${g.c} + ${ci}];`, `count = count + 1.0;`);
    b.line(CLOSE_TAPS);
    ctx.run(op, y, b, "acc / count");
    return;
  }
  windowArgmax(b, X, g, n!, oy!, ox!, ci!, "");
  ctx.run(op, y, b, op === "maxPool" ? "best" : `${D}[arg]`);
}

/** maxPoolGrad: input pixel gathers dy from every window whose first maximum it is. */
function maxPoolGrad(ctx: KernelContext, x: GlTensor, dy: GlTensor, dx: GlTensor, a: PoolA, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in("maxPoolGrad", x));
  const DY = b.tensor(ctx.in("maxPoolGrad", dy));
  const g = geometry(b, win);
  const [n, iy, ix, ci] = b.unravel("i", dx.shape, "c");
  b.line(`const self = ((${n} * ${g.h} + ${iy}) * ${g.w} + ${ix}) * ${g.c} + ${ci};`, `let acc = 0.0;`);
  backwardTaps(b, g, iy!, ix!);
  b.line(`let bestW = 0.0;`, `let argW = -1.0;`);
  b.line(`for (let wy = 0.0; wy < ${g.kh}; wy++) {`, `const py = oy * ${g.sh} - ${g.pt} + wy;`, `if (py >= 0.0 && py < ${g.h}) {`);
  b.line(`for (let wx = 0.0; wx < ${g.kw}; wx++) {`, `const px = ox * ${g.sw} - ${g.pl} + wx;`, `if (px >= 0.0 && px < ${g.w}) {`);
  b.line(`const at = ((${n} * ${g.h} + py) * ${g.w} + px) * ${g.c} + ${ci};`, `const v = ${X}[at];`);
  b.line(`if (argW < 0.0 || v > bestW || (v != v && bestW == bestW)) { bestW = v; argW = at; }`, CLOSE_TAPS);
  b.line(`if (argW == self) { acc = acc + ${DY}[((${n} * ${g.oh} + oy) * ${g.ow} + ox) * ${g.c} + ${ci}]; }`);
  b.line(CLOSE_TAPS);
  ctx.run("maxPoolGrad", dx, b, "acc");
}

/** avgPoolGrad: input pixel gathers dy / count from every window that holds it. */
function avgPoolGrad(ctx: KernelContext, dy: GlTensor, dx: GlTensor, a: PoolA, win: WindowGeometry): void {
  const b = new KernelBuilder();
  const DY = b.tensor(ctx.in("avgPoolGrad", dy));
  const g = geometry(b, win);
  const [n, iy, ix, ci] = b.unravel("i", dx.shape, "c");
  b.line(`let acc = 0.0;`);
  backwardTaps(b, g, iy!, ix!);
  b.line(`const y0 = oy * ${g.sh} - ${g.pt};`, `const x0 = ox * ${g.sw} - ${g.pl};`);
  b.line(`const rows = Math.min(y0 + ${g.kh}, ${g.h}) - Math.max(y0, 0.0);`, `const cols = Math.min(x0 + ${g.kw}, ${g.w}) - Math.max(x0, 0.0);`);
  b.line(`acc = acc + ${DY}[((${n} * ${g.oh} + oy) * ${g.ow} + ox) * ${g.c} + ${ci}] / (rows * cols);`);
  b.line(CLOSE_TAPS);
  ctx.run("avgPoolGrad", dx, b, "acc");
}

type T = readonly GlTensor[];
/** What dispatch resolved for the call (its plan is the window geometry). */
type Op = { readonly plan: unknown };

/** Convolution and pooling kernels. */
export function convKernels(ctx: KernelContext) {
  return {
    conv2d: ([x, f]: T, [y]: T, a: ConvA, op?: Op) => convForward(ctx, "conv2d", x!, f!, y!, a, false, geometryOf(op, () => conv2dGeometry("conv2d", x!.shape, f!.shape, a))),
    conv2dBackpropInput: ([dy, f]: T, [dx]: T, a: ConvA & { inputShape: readonly number[] }, op?: Op) =>
      convBackpropInput(ctx, "conv2dBackpropInput", dy!, f!, dx!, a, false, geometryOf(op, () => conv2dGeometry("conv2dBackpropInput", a.inputShape, f!.shape, a))),
    conv2dBackpropFilter: ([x, dy]: T, [df]: T, a: ConvA & { filterShape: readonly number[] }, op?: Op) =>
      convBackpropFilter(ctx, "conv2dBackpropFilter", x!, dy!, df!, a, false, geometryOf(op, () => conv2dGeometry("conv2dBackpropFilter", x!.shape, a.filterShape, a))),
    depthwiseConv2d: ([x, f]: T, [y]: T, a: ConvA, op?: Op) => convForward(ctx, "depthwiseConv2d", x!, f!, y!, a, true, geometryOf(op, () => depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a))),
    depthwiseConv2dBackpropInput: ([dy, f]: T, [dx]: T, a: ConvA & { inputShape: readonly number[] }, op?: Op) =>
      convBackpropInput(ctx, "depthwiseConv2dBackpropInput", dy!, f!, dx!, a, true, geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropInput", a.inputShape, f!.shape, a))),
    depthwiseConv2dBackpropFilter: ([x, dy]: T, [df]: T, a: ConvA & { filterShape: readonly number[] }, op?: Op) =>
      convBackpropFilter(ctx, "depthwiseConv2dBackpropFilter", x!, dy!, df!, a, true, geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropFilter", x!.shape, a.filterShape, a))),
    maxPool: ([x]: T, [y]: T, a: PoolA, op?: Op) => pool(ctx, "maxPool", x!, null, y!, a, geometryOf(op, () => poolGeometry("maxPool", x!.shape, a))),
    maxPoolGrad: ([x, dy]: T, [dx]: T, a: PoolA, op?: Op) => maxPoolGrad(ctx, x!, dy!, dx!, a, geometryOf(op, () => poolGeometry("maxPoolGrad", x!.shape, a))),
    maxPoolGradGrad: ([x, ddx]: T, [y]: T, a: PoolA, op?: Op) => pool(ctx, "maxPoolGradGrad", x!, ddx!, y!, a, geometryOf(op, () => poolGeometry("maxPoolGradGrad", x!.shape, a))),
    avgPool: ([x]: T, [y]: T, a: PoolA, op?: Op) => pool(ctx, "avgPool", x!, null, y!, a, geometryOf(op, () => poolGeometry("avgPool", x!.shape, a))),
    avgPoolGrad: ([dy]: T, [dx]: T, a: PoolA & { inputShape: readonly number[] }, op?: Op) => avgPoolGrad(ctx, dy!, dx!, a, geometryOf(op, () => poolGeometry("avgPoolGrad", a.inputShape, a))),
  };
}
