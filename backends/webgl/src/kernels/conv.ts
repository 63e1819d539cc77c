/**
 * The conv family (NHWC): conv2d, depthwiseConv2d, their input and filter gradients, and max
 * and average pooling with their gradients. One template shape: a thread per output element
 * loops over the window taps (and channels) that reach it, skipping padding. Gradients are
 * written from the output's side (gathers, never scatters), so no thread writes twice.
 */
import { KernelBuilder } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";

interface Pad4 {
  readonly top: number;
  readonly left: number;
}
interface WindowAttrs {
  readonly strides: readonly [number, number];
  readonly pad: Pad4;
  readonly dilations?: readonly [number, number];
}

/** Geometry uniforms of one call: input h, w, c; output oh, ow; window, strides, dilations, pads. */
interface Geo {
  h: string; w: string; c: string; oh: string; ow: string; kh: string; kw: string;
  sh: string; sw: string; dh: string; dw: string; pt: string; pl: string;
}

function geometry(b: KernelBuilder, x: readonly number[], out: readonly number[], kh: number, kw: number, a: WindowAttrs): Geo {
  const [dh, dw] = a.dilations ?? [1, 1];
  return {
    h: b.num(x[1]!), w: b.num(x[2]!), c: b.num(x[3]!), oh: b.num(out[1]!), ow: b.num(out[2]!), kh: b.num(kh), kw: b.num(kw),
    sh: b.num(a.strides[0]), sw: b.num(a.strides[1]), dh: b.num(dh), dw: b.num(dw), pt: b.num(a.pad.top), pl: b.num(a.pad.left),
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

type ConvA = WindowAttrs & { inputShape?: readonly number[]; filterShape?: readonly number[] };

/** conv2d (depthwise: per-channel) forward. */
function convForward(ctx: KernelContext, op: string, x: GlTensor, f: GlTensor, y: GlTensor, a: ConvA, depthwise: boolean): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const F = b.tensor(ctx.in(op, f));
  const g = geometry(b, x.shape, y.shape, f.shape[0]!, f.shape[1]!, a);
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
function convBackpropInput(ctx: KernelContext, op: string, dy: GlTensor, f: GlTensor, dx: GlTensor, a: ConvA, depthwise: boolean): void {
  const b = new KernelBuilder();
  const DY = b.tensor(ctx.in(op, dy));
  const F = b.tensor(ctx.in(op, f));
  const g = geometry(b, dx.shape, dy.shape, f.shape[0]!, f.shape[1]!, a);
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
function convBackpropFilter(ctx: KernelContext, op: string, x: GlTensor, dy: GlTensor, df: GlTensor, a: ConvA, depthwise: boolean): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const DY = b.tensor(ctx.in(op, dy));
  const g = geometry(b, x.shape, dy.shape, df.shape[0]!, df.shape[1]!, a);
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

type PoolA = { filterSize: readonly [number, number]; strides: readonly [number, number]; pad: Pad4; inputShape?: readonly number[] };

function pool(ctx: KernelContext, op: "maxPool" | "avgPool" | "maxPoolGradGrad", x: GlTensor, extra: GlTensor | null, y: GlTensor, a: PoolA): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in(op, x));
  const D = extra ? b.tensor(ctx.in(op, extra)) : "";
  const g = geometry(b, x.shape, y.shape, a.filterSize[0], a.filterSize[1], a);
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
function maxPoolGrad(ctx: KernelContext, x: GlTensor, dy: GlTensor, dx: GlTensor, a: PoolA): void {
  const b = new KernelBuilder();
  const X = b.tensor(ctx.in("maxPoolGrad", x));
  const DY = b.tensor(ctx.in("maxPoolGrad", dy));
  const g = geometry(b, x.shape, dy.shape, a.filterSize[0], a.filterSize[1], a);
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
function avgPoolGrad(ctx: KernelContext, dy: GlTensor, dx: GlTensor, a: PoolA): void {
  const b = new KernelBuilder();
  const DY = b.tensor(ctx.in("avgPoolGrad", dy));
  const g = geometry(b, dx.shape, dy.shape, a.filterSize[0], a.filterSize[1], a);
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

/** Convolution and pooling kernels. */
export function convKernels(ctx: KernelContext) {
  return {
    conv2d: ([x, f]: T, [y]: T, a: ConvA) => convForward(ctx, "conv2d", x!, f!, y!, a, false),
    conv2dBackpropInput: ([dy, f]: T, [dx]: T, a: ConvA) => convBackpropInput(ctx, "conv2dBackpropInput", dy!, f!, dx!, a, false),
    conv2dBackpropFilter: ([x, dy]: T, [df]: T, a: ConvA) => convBackpropFilter(ctx, "conv2dBackpropFilter", x!, dy!, df!, a, false),
    depthwiseConv2d: ([x, f]: T, [y]: T, a: ConvA) => convForward(ctx, "depthwiseConv2d", x!, f!, y!, a, true),
    depthwiseConv2dBackpropInput: ([dy, f]: T, [dx]: T, a: ConvA) => convBackpropInput(ctx, "depthwiseConv2dBackpropInput", dy!, f!, dx!, a, true),
    depthwiseConv2dBackpropFilter: ([x, dy]: T, [df]: T, a: ConvA) => convBackpropFilter(ctx, "depthwiseConv2dBackpropFilter", x!, dy!, df!, a, true),
    maxPool: ([x]: T, [y]: T, a: PoolA) => pool(ctx, "maxPool", x!, null, y!, a),
    maxPoolGrad: ([x, dy]: T, [dx]: T, a: PoolA) => maxPoolGrad(ctx, x!, dy!, dx!, a),
    maxPoolGradGrad: ([x, ddx]: T, [y]: T, a: PoolA) => pool(ctx, "maxPoolGradGrad", x!, ddx!, y!, a),
    avgPool: ([x]: T, [y]: T, a: PoolA) => pool(ctx, "avgPool", x!, null, y!, a),
    avgPoolGrad: ([dy]: T, [dx]: T, a: PoolA) => avgPoolGrad(ctx, dy!, dx!, a),
  };
}
