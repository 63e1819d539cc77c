/**
 * Convolution and pooling in NHWC, direct: one thread per output element of each op
 * (forward, input gradient, filter gradient; depthwise alike; max/avg pooling and their
 * gradients), looping over the window. Geometry travels in params as
 * [count, n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, channels]. conv2d takes an
 * elementwise epilogue (head.ts) on each output before its store.
 */
import { conv2dGeometry, depthwiseGeometry, geometryOf, poolGeometry, type Attrs, type KernelTable, type KernelTensor, type WindowGeometry } from "@eager/core/backend";
import { grid, type GpuBuffer, type Runtime } from "../runtime.js";
import { perElement, WG } from "../wgsl.js";
import { dispatchHead, stored, withTail, type HeadDispatch } from "./head.js";

/** Params from the call's window plan, the channel count and the number of threads. */
function params(g: WindowGeometry, channels: number, count: number): number[] {
  return [count, g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow, channels];
}

const GEOM = `let n = pu(1u); let h = pu(2u); let w = pu(3u); let c = pu(4u);
  let kh = pu(5u); let kw = pu(6u); let sh = pu(7u); let sw = pu(8u); let dh = pu(9u); let dw = pu(10u);
  let pt = p[11]; let pl = p[12]; let oh = pu(13u); let ow = pu(14u); let ch = pu(15u);`;

/** Split flat index `v` of [n, a, b, last] into (b0, a0, b1) names given. */
const splitPixel = (v: string, last: string, A: string, Bn: string, names: [string, string, string, string]) =>
  `let ${names[3]} = ${v} % ${last}; let ${names[2]} = (${v} / ${last}) % ${Bn}; let ${names[1]} = (${v} / ${last} / ${Bn}) % ${A}; let ${names[0]} = ${v} / ${last} / ${Bn} / ${A};`;

/** Loop over the window of output pixel (b, oy, ox): defines iy, ix (i32, in bounds) and tap. */
const windowLoop = (inner: string) => `for (var ky = 0u; ky < kh; ky++) {
    let iy = i32(oy * sh + ky * dh) - pt;
    if (iy < 0 || iy >= i32(h)) { continue; }
    for (var kx = 0u; kx < kw; kx++) {
      let ix = i32(ox * sw + kx * dw) - pl;
      if (ix < 0 || ix >= i32(w)) { continue; }
      let tap = ky * kw + kx;
      let xp = (b * h + u32(iy)) * w + u32(ix);
      ${inner}
    }
  }`;

/** Loop over output pixels (oy, ox) whose window covers input pixel (iy, ix) at tap (ky, kx). */
const coverLoop = (inner: string) => `for (var ky = 0u; ky < kh; ky++) {
    let ty = i32(iy) + pt - i32(ky * dh);
    if (ty < 0 || ty % i32(sh) != 0) { continue; }
    let oy = u32(ty) / sh;
    if (oy >= oh) { continue; }
    for (var kx = 0u; kx < kw; kx++) {
      let tx = i32(ix) + pl - i32(kx * dw);
      if (tx < 0 || tx % i32(sw) != 0) { continue; }
      let ox = u32(tx) / sw;
      if (ox >= ow) { continue; }
      let tap = ky * kw + kx;
      let op = (b * oh + oy) * ow + ox;
      ${inner}
    }
  }`;

/** Loop over every output pixel (b, oy, ox) for a fixed tap (ky, kx): defines xp, op. */
const tapLoop = (inner: string) => `for (var b = 0u; b < n; b++) {
    for (var oy = 0u; oy < oh; oy++) {
      let iy = i32(oy * sh + ky * dh) - pt;
      if (iy < 0 || iy >= i32(h)) { continue; }
      for (var ox = 0u; ox < ow; ox++) {
        let ix = i32(ox * sw + kx * dw) - pl;
        if (ix < 0 || ix >= i32(w)) { continue; }
        let xp = (b * h + u32(iy)) * w + u32(ix);
        let op = (b * oh + oy) * ow + ox;
        ${inner}
      }
    }
  }`;

/** WGSL: flat x index of the first maximum of channel ci in pool window (b, oy, ox); NaN wins. */
const ARGMAX = /* wgsl */ `
fn window_argmax(b: u32, oy: u32, ox: u32, ci: u32) -> u32 {
  ${GEOM}
  var best = 0.0;
  var at = 0xffffffffu;
  ${windowLoop(`let xi = xp * c + ci;
      let v = xs[xi];
      if (at == 0xffffffffu || v > best || (is_nan(v) && !is_nan(best))) { best = v; at = xi; }`)}
  return at;
}
`;

const F32 = "f32";
const out = (name: string) => ({ name, type: F32, write: true });
const inp = (name: string) => ({ name, type: F32 });

function run(rt: Runtime, key: string, body: string, names: string[], buffers: GpuBuffer[], params: number[], fns = ""): void {
  const src = () => perElement([out(names[0]!), ...names.slice(1).map(inp)], `${GEOM}\n  ${body}`, fns);
  rt.dispatch(key, src, buffers, params, grid(Math.ceil(params[0]! / WG)));
}

type T = KernelTensor<GpuBuffer>;
const OUT_PIXEL = splitPixel("i", "ch", "oh", "ow", ["b", "oy", "ox", "co"]);

/** The dispatch of conv2d (float32, NHWC; `plan` is the call's window geometry), with or without an epilogue. */
export function conv2dHead([x, f]: readonly T[], y: T, a: Attrs<"conv2d">, op?: { readonly plan: unknown }): HeadDispatch {
  const g = geometryOf(op, () => conv2dGeometry("conv2d", x!.shape, f!.shape, a));
  const loop = windowLoop("for (var ci = 0u; ci < c; ci++) { acc += xs[xp * c + ci] * fs[(tap * c + ci) * ch + co]; }");
  const p = params(g, f!.shape[3]!, y.size);
  return {
    key: "conv2d",
    source: (tail) => {
      const { bindings, fns } = withTail(tail, [out("y"), inp("xs"), inp("fs")]);
      return perElement(bindings, `${GEOM}\n  ${OUT_PIXEL}\n  var acc = 0.0;\n  ${loop}\n  y[i] = ${stored(tail, "i", "acc")};`, fns);
    },
    buffers: [y.data, x!.data, f!.data],
    params: p,
    workgroups: grid(Math.ceil(p[0]! / WG)),
  };
}

type ConvOps =
  | "conv2d" | "conv2dBackpropInput" | "conv2dBackpropFilter"
  | "depthwiseConv2d" | "depthwiseConv2dBackpropInput" | "depthwiseConv2dBackpropFilter"
  | "maxPool" | "maxPoolGrad" | "maxPoolGradGrad" | "avgPool" | "avgPoolGrad";

/** Kernels of the convolution and pooling family (float32). */
export function convKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, ConvOps> {
  const outPixel = OUT_PIXEL;
  const inPixel = splitPixel("i", "c", "h", "w", ["b", "iy", "ix", "ci"]);
  const dwCount = `(window_count(oy, ox))`;
  const COUNT = /* wgsl */ `
fn window_count(oy: u32, ox: u32) -> f32 {
  ${GEOM}
  let y0 = i32(oy * sh) - pt;
  let x0 = i32(ox * sw) - pl;
  let rows = min(y0 + i32(kh), i32(h)) - max(y0, 0);
  let cols = min(x0 + i32(kw), i32(w)) - max(x0, 0);
  return f32(rows * cols);
}
`;
  return {
    conv2d: (inputs, [y], a, op) => dispatchHead(rt(), conv2dHead(inputs, y!, a, op)),
    conv2dBackpropInput: ([dy, f], [dx], a, op) => {
      const body = `${inPixel}\n  var acc = 0.0;\n  ${coverLoop("for (var co = 0u; co < ch; co++) { acc += dys[op * ch + co] * fs[(tap * c + ci) * ch + co]; }")}\n  y[i] = acc;`;
      run(rt(), "conv2dBackpropInput", body, ["y", "dys", "fs"], [dx!.data, dy!.data, f!.data], params(geometryOf(op, () => conv2dGeometry("conv2dBackpropInput", a.inputShape, f!.shape, a)), f!.shape[3]!, dx!.size));
    },
    conv2dBackpropFilter: ([x, dy], [df], a, op) => {
      const body = `let co = i % ch; let ci = (i / ch) % c; let kx = (i / ch / c) % kw; let ky = i / ch / c / kw;\n  var acc = 0.0;\n  ${tapLoop("acc += xs[xp * c + ci] * dys[op * ch + co];")}\n  y[i] = acc;`;
      run(rt(), "conv2dBackpropFilter", body, ["y", "xs", "dys"], [df!.data, x!.data, dy!.data], params(geometryOf(op, () => conv2dGeometry("conv2dBackpropFilter", x!.shape, a.filterShape, a)), a.filterShape[3]!, df!.size));
    },
    depthwiseConv2d: ([x, f], [y], a, op) => {
      const m = f!.shape[3]!;
      const body = `let cm = c * ch;\n  ${splitPixel("i", "cm", "oh", "ow", ["b", "oy", "ox", "oc"])}\n  let ci = oc / ch;\n  var acc = 0.0;\n  ${windowLoop("acc += xs[xp * c + ci] * fs[tap * cm + oc];")}\n  y[i] = acc;`;
      run(rt(), "depthwiseConv2d", body, ["y", "xs", "fs"], [y!.data, x!.data, f!.data], params(geometryOf(op, () => depthwiseGeometry("depthwiseConv2d", x!.shape, f!.shape, a)), m, y!.size));
    },
    depthwiseConv2dBackpropInput: ([dy, f], [dx], a, op) => {
      const body = `${inPixel}\n  let cm = c * ch;\n  var acc = 0.0;\n  ${coverLoop("for (var k = 0u; k < ch; k++) { acc += dys[op * cm + ci * ch + k] * fs[tap * cm + ci * ch + k]; }")}\n  y[i] = acc;`;
      run(rt(), "depthwiseConv2dBackpropInput", body, ["y", "dys", "fs"], [dx!.data, dy!.data, f!.data], params(geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropInput", a.inputShape, f!.shape, a)), f!.shape[3]!, dx!.size));
    },
    depthwiseConv2dBackpropFilter: ([x, dy], [df], a, op) => {
      const body = `let cm = c * ch;\n  let oc = i % cm; let ci = oc / ch; let kx = (i / cm) % kw; let ky = i / cm / kw;\n  var acc = 0.0;\n  ${tapLoop("acc += xs[xp * c + ci] * dys[op * cm + oc];")}\n  y[i] = acc;`;
      run(rt(), "depthwiseConv2dBackpropFilter", body, ["y", "xs", "dys"], [df!.data, x!.data, dy!.data], params(geometryOf(op, () => depthwiseGeometry("depthwiseConv2dBackpropFilter", x!.shape, a.filterShape, a)), a.filterShape[3]!, df!.size));
    },
    maxPool: ([x], [y], a, op) => {
      const body = `${outPixel}\n  y[i] = xs[window_argmax(b, oy, ox, co)];`;
      run(rt(), "maxPool", body, ["y", "xs"], [y!.data, x!.data], params(geometryOf(op, () => poolGeometry("maxPool", x!.shape, a)), x!.shape[3]!, y!.size), ARGMAX);
    },
    maxPoolGrad: ([x, dy], [dx], a, op) => {
      const body = `${inPixel}\n  var acc = 0.0;\n  ${coverLoop("if (window_argmax(b, oy, ox, ci) == i) { acc += dys[op * c + ci]; }")}\n  y[i] = acc;`;
      run(rt(), "maxPoolGrad", body, ["y", "xs", "dys"], [dx!.data, x!.data, dy!.data], params(geometryOf(op, () => poolGeometry("maxPoolGrad", x!.shape, a)), x!.shape[3]!, dx!.size), ARGMAX);
    },
    maxPoolGradGrad: ([x, ddx], [y], a, op) => {
      const body = `${outPixel}\n  y[i] = dds[window_argmax(b, oy, ox, co)];`;
      run(rt(), "maxPoolGradGrad", body, ["y", "xs", "dds"], [y!.data, x!.data, ddx!.data], params(geometryOf(op, () => poolGeometry("maxPoolGradGrad", x!.shape, a)), x!.shape[3]!, y!.size), ARGMAX);
    },
    avgPool: ([x], [y], a, op) => {
      const body = `${outPixel}\n  var acc = 0.0;\n  ${windowLoop("acc += xs[xp * c + co];")}\n  y[i] = acc / ${dwCount};`;
      run(rt(), "avgPool", body, ["y", "xs"], [y!.data, x!.data], params(geometryOf(op, () => poolGeometry("avgPool", x!.shape, a)), x!.shape[3]!, y!.size), COUNT);
    },
    avgPoolGrad: ([dy], [dx], a, op) => {
      const body = `${inPixel}\n  var acc = 0.0;\n  ${coverLoop(`acc += dys[op * c + ci] / ${dwCount};`)}\n  y[i] = acc;`;
      run(rt(), "avgPoolGrad", body, ["y", "dys"], [dx!.data, dy!.data], params(geometryOf(op, () => poolGeometry("avgPoolGrad", a.inputShape, a)), a.inputShape[3]!, dx!.size), COUNT);
    },
  };
}

