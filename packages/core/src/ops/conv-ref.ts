/**
 * Reference loops of the convolution and pooling ops (NHWC, accumulated in float64): the
 * executable definition the other backends are tested against. Shapes and padding come in a
 * WindowGeometry already validated by the op's shape rule (see conv.ts).
 */
import type { RefTensor } from "./def.js";
import type { WindowGeometry } from "./conv.js";

/**
 * Call `visit(outPixel, inPixels, taps, count)` for every output pixel (flat over n, oh, ow),
 * where inPixels[t] is the flat input pixel (over n, h, w) and taps[t] the window position
 * (ky * kw + kx) of each of the `count` window elements inside the unpadded input.
 */
export function forEachWindow(g: WindowGeometry, visit: (outPixel: number, inPixels: Int32Array, taps: Int32Array, count: number) => void): void {
  const inPixels = new Int32Array(g.kh * g.kw);
  const taps = new Int32Array(g.kh * g.kw);
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.oh; oy++) {
      const y0 = oy * g.sh - g.pt;
      for (let ox = 0; ox < g.ow; ox++) {
        const x0 = ox * g.sw - g.pl;
        let count = 0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = y0 + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          const row = (b * g.h + iy) * g.w;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = x0 + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            inPixels[count] = row + ix;
            taps[count++] = ky * g.kw + kx;
          }
        }
        visit((b * g.oh + oy) * g.ow + ox, inPixels, taps, count);
      }
    }
}

/** y = sum over windows and input channels of x * filter, accumulated in float64. */
export function conv2dRef(x: RefTensor, f: RefTensor, y: RefTensor, g: WindowGeometry): void {
  const X = x.data;
  const F = f.data;
  const Y = y.data;
  const c = g.c;
  const co = f.shape[3]!;
  const acc = new Float64Array(co);
  forEachWindow(g, (o, inPixels, taps, count) => {
    acc.fill(0);
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * c * co;
      for (let ci = 0; ci < c; ci++) {
        const xv = X[xo + ci]!;
        const fr = fo + ci * co;
        for (let j = 0; j < co; j++) acc[j]! += xv * F[fr + j]!;
      }
    }
    Y.set(acc, o * co);
  });
}

/** dx[window element, ci] += sum_co dy[out, co] * filter[tap, ci, co]. */
export function conv2dBackpropInputRef(dy: RefTensor, f: RefTensor, dx: RefTensor, g: WindowGeometry): void {
  const DY = dy.data;
  const F = f.data;
  const c = g.c;
  const co = f.shape[3]!;
  const acc = new Float64Array(dx.size);
  forEachWindow(g, (o, inPixels, taps, count) => {
    const yo = o * co;
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * c * co;
      for (let ci = 0; ci < c; ci++) {
        const fr = fo + ci * co;
        let s = 0;
        for (let j = 0; j < co; j++) s += DY[yo + j]! * F[fr + j]!;
        acc[xo + ci]! += s;
      }
    }
  });
  dx.data.set(acc);
}

/** dfilter[tap, ci, co] += x[window element, ci] * dy[out, co]. */
export function conv2dBackpropFilterRef(x: RefTensor, dy: RefTensor, df: RefTensor, g: WindowGeometry): void {
  const X = x.data;
  const DY = dy.data;
  const c = g.c;
  const co = df.shape[3]!;
  const acc = new Float64Array(df.size);
  forEachWindow(g, (o, inPixels, taps, count) => {
    const yo = o * co;
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * c * co;
      for (let ci = 0; ci < c; ci++) {
        const xv = X[xo + ci]!;
        const fr = fo + ci * co;
        for (let j = 0; j < co; j++) acc[fr + j]! += xv * DY[yo + j]!;
      }
    }
  });
  df.data.set(acc);
}

/** y[out, ci * m + k] = sum over the window of x[., ci] * filter[tap, ci, k]. */
export function depthwiseRef(x: RefTensor, f: RefTensor, y: RefTensor, g: WindowGeometry): void {
  const X = x.data;
  const F = f.data;
  const c = g.c;
  const cm = c * f.shape[3]!;
  const m = f.shape[3]!;
  const acc = new Float64Array(cm);
  forEachWindow(g, (o, inPixels, taps, count) => {
    acc.fill(0);
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * cm;
      for (let ci = 0; ci < c; ci++) {
        const xv = X[xo + ci]!;
        for (let k = ci * m; k < ci * m + m; k++) acc[k]! += xv * F[fo + k]!;
      }
    }
    y.data.set(acc, o * cm);
  });
}

/** dx[window element, ci] += sum_k dy[out, ci * m + k] * filter[tap, ci, k]. */
export function depthwiseBackpropInputRef(dy: RefTensor, f: RefTensor, dx: RefTensor, g: WindowGeometry): void {
  const DY = dy.data;
  const F = f.data;
  const c = g.c;
  const m = f.shape[3]!;
  const cm = c * m;
  const acc = new Float64Array(dx.size);
  forEachWindow(g, (o, inPixels, taps, count) => {
    const yo = o * cm;
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * cm;
      for (let ci = 0; ci < c; ci++) {
        let s = 0;
        for (let k = ci * m; k < ci * m + m; k++) s += DY[yo + k]! * F[fo + k]!;
        acc[xo + ci]! += s;
      }
    }
  });
  dx.data.set(acc);
}

/** dfilter[tap, ci, k] += x[window element, ci] * dy[out, ci * m + k]. */
export function depthwiseBackpropFilterRef(x: RefTensor, dy: RefTensor, df: RefTensor, g: WindowGeometry): void {
  const X = x.data;
  const DY = dy.data;
  const c = g.c;
  const m = df.shape[3]!;
  const cm = c * m;
  const acc = new Float64Array(df.size);
  forEachWindow(g, (o, inPixels, taps, count) => {
    const yo = o * cm;
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      const fo = taps[t]! * cm;
      for (let ci = 0; ci < c; ci++) {
        const xv = X[xo + ci]!;
        for (let k = ci * m; k < ci * m + m; k++) acc[fo + k]! += xv * DY[yo + k]!;
      }
    }
  });
  df.data.set(acc);
}

/**
 * For every output pixel, the flat index in x of each channel's window maximum: the first
 * one in window order on ties; NaN wins (and propagates).
 */
export function forEachArgmax(x: RefTensor, g: WindowGeometry, visit: (outPixel: number, argmax: Int32Array) => void): void {
  const X = x.data;
  const c = g.c;
  const best = new Float64Array(c);
  const arg = new Int32Array(c);
  forEachWindow(g, (o, inPixels, _taps, count) => {
    arg.fill(-1);
    for (let t = 0; t < count; t++) {
      const xo = inPixels[t]! * c;
      for (let ci = 0; ci < c; ci++) {
        const v = X[xo + ci]!;
        const b = best[ci]!;
        if (arg[ci]! < 0 || v > b || (v !== v && b === b)) {
          best[ci] = v;
          arg[ci] = xo + ci;
        }
      }
    }
    visit(o, arg);
  });
}
