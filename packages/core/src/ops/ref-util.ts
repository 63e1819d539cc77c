/**
 * Loops shared by reference kernels: elementwise maps with NumPy broadcasting and
 * reductions over axes. Written for clarity; the reference backend is the oracle, not fast.
 */
import { broadcastStrides, stridesOf } from "../shape.js";
import type { RefTensor } from "./def.js";

/** out[i] = f(x[i]). */
export function mapUnary(x: RefTensor, out: RefTensor, f: (v: number) => number): void {
  const a = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = f(a[i]!);
}

/**
 * Call `visit(outIndex, offsets)` for every output element, where offsets[k] is the flat
 * index of input k broadcast to the output shape.
 */
export function forEachBroadcast(inputs: readonly RefTensor[], outShape: readonly number[], visit: (outIndex: number, offsets: Int32Array) => void): void {
  const rank = outShape.length;
  const n = outShape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const strides = inputs.map((t) => broadcastStrides(t.shape, outShape));
  const offsets = new Int32Array(inputs.length);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, offsets);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      for (let k = 0; k < inputs.length; k++) offsets[k]! += strides[k]![d]!;
      if (counter[d]! < outShape[d]!) break;
      for (let k = 0; k < inputs.length; k++) offsets[k]! -= strides[k]![d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
}

/** out = f(a, b) with broadcasting. */
export function mapBinary(a: RefTensor, b: RefTensor, out: RefTensor, f: (x: number, y: number) => number): void {
  const A = a.data;
  const B = b.data;
  const o = out.data;
  if (a.size === o.length && b.size === o.length) {
    for (let i = 0; i < o.length; i++) o[i] = f(A[i]!, B[i]!);
    return;
  }
  forEachBroadcast([a, b], out.shape, (i, off) => {
    o[i] = f(A[off[0]!]!, B[off[1]!]!);
  });
}

/** out = f(a, b, c) with broadcasting. */
export function mapTernary(a: RefTensor, b: RefTensor, c: RefTensor, out: RefTensor, f: (x: number, y: number, z: number) => number): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const o = out.data;
  forEachBroadcast([a, b, c], out.shape, (i, off) => {
    o[i] = f(A[off[0]!]!, B[off[1]!]!, C[off[2]!]!);
  });
}

/**
 * Reduce `x` over `axes` (sorted, unique). For each output element, `init()` starts an
 * accumulator, `step(acc, v)` folds each value, `finish(acc, count)` gives the result.
 */
export function reduceAxes<Acc>(
  x: RefTensor,
  axes: readonly number[],
  out: RefTensor,
  init: () => Acc,
  step: (acc: Acc, v: number, indexAlongAxes: number) => Acc,
  finish: (acc: Acc, count: number) => number,
): void {
  const shape = x.shape;
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const keptShape = shape.map((d, i) => (reduced[i] ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  const redShape = shape.map((d, i) => (reduced[i] ? d : 1));
  const redStrides = stridesOf(redShape);
  const outSize = keptShape.reduce((a, b) => a * b, 1);
  const count = redShape.reduce((a, b) => a * b, 1);
  const accs: Acc[] = new Array(outSize);
  for (let i = 0; i < outSize; i++) accs[i] = init();
  const counter = new Array<number>(rank).fill(0);
  const xs = x.data;
  for (let i = 0; i < xs.length; i++) {
    let oi = 0;
    let ri = 0;
    for (let d = 0; d < rank; d++) {
      if (reduced[d]) ri += counter[d]! * redStrides[d]!;
      else oi += counter[d]! * keptStrides[d]!;
    }
    accs[oi] = step(accs[oi]!, xs[i]!, ri);
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d]! < shape[d]!) break;
      counter[d] = 0;
    }
  }
  const o = out.data;
  for (let i = 0; i < outSize; i++) o[i] = finish(accs[i]!, count);
}
