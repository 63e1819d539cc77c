/**
 * Convolutions and pools as decompositions (im2col): pad, gather every window's elements with
 * an index table built on the device, then matmul (conv2d), a broadcast multiply and sum
 * (depthwise), max or sum (pools). Gradients scatter back with unsortedSegmentSum and unpad
 * with stridedSlice. Inputs are NHWC; the caller passes the op's validated window geometry.
 */
import type { Tensor } from "../tensor.js";
import type { Pad4, WindowGeometry } from "./conv.js";
import { range, windowOffsets } from "./decompose-util.js";
import { P } from "./primitives.js";

/** Padded spatial sizes [hp, wp]. */
function padded(g: WindowGeometry, pad: Pad4): [number, number] {
  return [g.h + pad.top + pad.bottom, g.w + pad.left + pad.right];
}

/**
 * Offsets into the padded image (flattened hp * wp) of every window element, shape
 * [oh, ow, kh, kw]: (oh sh + kh dh) wp + ow sw + kw dw.
 */
function windowTable(g: WindowGeometry, wp: number): Tensor {
  const rows = P.reshape(P.mul(range(g.oh), g.sh * wp), { shape: [g.oh, 1, 1, 1] });
  const cols = P.reshape(P.mul(range(g.ow), g.sw), { shape: [1, g.ow, 1, 1] });
  const taps = P.reshape(windowOffsets([g.kh, wp], [g.kh, g.kw], [0, 0], [g.dh, g.dw]), { shape: [1, 1, g.kh, g.kw] });
  return P.add(P.add(rows, cols), taps);
}

function padImage(x: Tensor, pad: Pad4, value: number): Tensor {
  return P.pad(x, { paddings: [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]], constantValue: value });
}

/** Every window's elements of x: [n, oh * ow * kh * kw, c], padding reading `value`. */
export function patches(x: Tensor, g: WindowGeometry, pad: Pad4, value = 0): Tensor {
  const [hp, wp] = padded(g, pad);
  const flat = P.reshape(padImage(x, pad, value), { shape: [x.shape[0]!, hp * wp, x.shape[3]!] });
  const at = P.reshape(windowTable(g, wp), { shape: [g.oh * g.ow * g.kh * g.kw] });
  return P.gather(flat, at, { axis: 1, batchDims: 0 });
}

/** The adjoint of `patches`: window elements [n, oh * ow * kh * kw, c] summed back into [n, h, w, c]. */
export function unpatches(cols: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const [hp, wp] = padded(g, pad);
  const n = cols.shape[0]!;
  const c = cols.shape[2]!;
  const at = P.reshape(windowTable(g, wp), { shape: [g.oh * g.ow * g.kh * g.kw] });
  const img = P.reshape(P.unsortedSegmentSum(cols, at, { axis: 1, batchDims: 0, numSegments: hp * wp }), { shape: [n, hp, wp, c] });
  return P.stridedSlice(img, { begin: [0, pad.top, pad.left, 0], size: [n, g.h, g.w, c], strides: [1, 1, 1, 1] });
}

/** conv2d: patches [n oh ow, kh kw cin] times the filter [kh kw cin, cout]. */
export function conv2dByMatmul(x: Tensor, f: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const cout = f.shape[3]!;
  const cols = P.reshape(patches(x, g, pad), { shape: [g.n * g.oh * g.ow, g.kh * g.kw * g.c] });
  const y = P.matmul(cols, P.reshape(f, { shape: [g.kh * g.kw * g.c, cout] }), { transposeA: false, transposeB: false });
  return P.reshape(y, { shape: [g.n, g.oh, g.ow, cout] });
}

/** conv2d's input gradient: dy [n oh ow, cout] times the filter transposed, scattered back. */
export function conv2dInputGrad(dy: Tensor, f: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const cout = f.shape[3]!;
  const dcols = P.matmul(P.reshape(dy, { shape: [g.n * g.oh * g.ow, cout] }), P.reshape(f, { shape: [g.kh * g.kw * g.c, cout] }), { transposeA: false, transposeB: true });
  return unpatches(P.reshape(dcols, { shape: [g.n, g.oh * g.ow * g.kh * g.kw, g.c] }), g, pad);
}

/** conv2d's filter gradient: patches transposed times dy. */
export function conv2dFilterGrad(x: Tensor, dy: Tensor, g: WindowGeometry, pad: Pad4, filterShape: readonly number[]): Tensor {
  const cout = filterShape[3]!;
  const cols = P.reshape(patches(x, g, pad), { shape: [g.n * g.oh * g.ow, g.kh * g.kw * g.c] });
  const df = P.matmul(cols, P.reshape(dy, { shape: [g.n * g.oh * g.ow, cout] }), { transposeA: true, transposeB: false });
  return P.reshape(df, { shape: filterShape });
}

/** depthwiseConv2d: y[p, c m] = sum_k patches[p, k, c] f[k, c, m]. */
export function depthwiseByPatches(x: Tensor, f: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const m = f.shape[3]!;
  const cols = P.reshape(patches(x, g, pad), { shape: [g.n * g.oh * g.ow, g.kh * g.kw, g.c, 1] });
  const y = P.sum(P.mul(cols, P.reshape(f, { shape: [g.kh * g.kw, g.c, m] })), { axes: [1], keepDims: false });
  return P.reshape(y, { shape: [g.n, g.oh, g.ow, g.c * m] });
}

/** depthwiseConv2d's input gradient: dpatches[p, k, c] = sum_m dy[p, c, m] f[k, c, m], scattered back. */
export function depthwiseInputGrad(dy: Tensor, f: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const m = f.shape[3]!;
  const d = P.reshape(dy, { shape: [g.n * g.oh * g.ow, 1, g.c, m] });
  const dcols = P.sum(P.mul(d, P.reshape(f, { shape: [g.kh * g.kw, g.c, m] })), { axes: [3], keepDims: false });
  return unpatches(P.reshape(dcols, { shape: [g.n, g.oh * g.ow * g.kh * g.kw, g.c] }), g, pad);
}

/** depthwiseConv2d's filter gradient: df[k, c, m] = sum_p patches[p, k, c] dy[p, c, m]. */
export function depthwiseFilterGrad(x: Tensor, dy: Tensor, g: WindowGeometry, pad: Pad4, filterShape: readonly number[]): Tensor {
  const m = filterShape[3]!;
  const cols = P.reshape(patches(x, g, pad), { shape: [g.n * g.oh * g.ow, g.kh * g.kw, g.c, 1] });
  const d = P.reshape(dy, { shape: [g.n * g.oh * g.ow, 1, g.c, m] });
  return P.reshape(P.sum(P.mul(cols, d), { axes: [0], keepDims: false }), { shape: filterShape });
}

/** Windows as [n, oh, ow, kh kw, c]. */
function windows(x: Tensor, g: WindowGeometry, pad: Pad4, value: number): Tensor {
  return P.reshape(patches(x, g, pad, value), { shape: [g.n, g.oh, g.ow, g.kh * g.kw, g.c] });
}

/** maxPool: the maximum of each window (padding reads -Infinity; no window is all padding). */
export function maxPoolByPatches(x: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  return P.max(windows(x, g, pad, -Infinity), { axes: [3], keepDims: false });
}

/** Elements per window that are not padding, [1, oh, ow, 1]. */
function windowCounts(g: WindowGeometry, pad: Pad4, dtype: Tensor["dtype"]): Tensor {
  const ones = P.fill({ shape: [1, g.h, g.w, 1], dtype, value: 1 });
  return P.sum(windows(ones, { ...g, n: 1, c: 1 }, pad, 0), { axes: [3, 4], keepDims: false });
}

/** avgPool: each window's sum over its unpadded elements, divided by their count. */
export function avgPoolByPatches(x: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const total = P.sum(windows(x, g, pad, 0), { axes: [3], keepDims: false });
  return P.div(total, P.reshape(windowCounts(g, pad, x.dtype), { shape: [1, g.oh, g.ow, 1] }));
}

/** avgPool's gradient: dy / count spread over each window, scattered back. */
export function avgPoolGradByPatches(dy: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const share = P.div(dy, P.reshape(windowCounts(g, pad, dy.dtype), { shape: [1, g.oh, g.ow, 1] }));
  const spread = P.broadcastTo(P.reshape(share, { shape: [g.n, g.oh, g.ow, 1, g.c] }), { shape: [g.n, g.oh, g.ow, g.kh * g.kw, g.c] });
  return unpatches(P.reshape(spread, { shape: [g.n, g.oh * g.ow * g.kh * g.kw, g.c] }), g, pad);
}

/**
 * Flat index into the padded image [n, hp, wp, c] of each window's first maximum, shape
 * [n, oh, ow, c] (argMax takes the first on ties and a NaN as largest, as maxPool does).
 */
function argmaxPositions(x: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const [hp, wp] = padded(g, pad);
  const k = P.argMax(windows(x, g, pad, -Infinity), { axis: 3 });
  const taps = P.reshape(windowOffsets([g.kh, wp], [g.kh, g.kw], [0, 0], [g.dh, g.dw]), { shape: [g.kh * g.kw] });
  const base = P.add(P.reshape(P.mul(range(g.oh), g.sh * wp), { shape: [1, g.oh, 1, 1] }), P.reshape(P.mul(range(g.ow), g.sw), { shape: [1, 1, g.ow, 1] }));
  const spatial = P.add(base, P.gather(taps, k, { axis: 0, batchDims: 0 }));
  const image = P.reshape(P.mul(range(g.n), hp * wp), { shape: [g.n, 1, 1, 1] });
  return P.add(P.mul(P.add(image, spatial), g.c), P.reshape(range(g.c), { shape: [1, 1, 1, g.c] }));
}

/** maxPool's gradient: each dy added at its window's first maximum. */
export function maxPoolGradByPatches(x: Tensor, dy: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const [hp, wp] = padded(g, pad);
  const at = P.reshape(argmaxPositions(x, g, pad), { shape: [dy.size] });
  const flat = P.unsortedSegmentSum(P.reshape(dy, { shape: [dy.size] }), at, { axis: 0, batchDims: 0, numSegments: g.n * hp * wp * g.c });
  const img = P.reshape(flat, { shape: [g.n, hp, wp, g.c] });
  return P.stridedSlice(img, { begin: [0, pad.top, pad.left, 0], size: [g.n, g.h, g.w, g.c], strides: [1, 1, 1, 1] });
}

/** maxPoolGradGrad: ddx read at each window's first maximum. */
export function maxPoolGradGradByPatches(x: Tensor, ddx: Tensor, g: WindowGeometry, pad: Pad4): Tensor {
  const [hp, wp] = padded(g, pad);
  const at = argmaxPositions(x, g, pad);
  const flat = P.reshape(padImage(ddx, pad, 0), { shape: [g.n * hp * wp * g.c] });
  return P.gather(flat, at, { axis: 0, batchDims: 0 });
}
