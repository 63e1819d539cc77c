/**
 * Building blocks for decompositions, written in required ops only: index ranges made on the
 * device (fill + cumsum, never host data), flat offsets of index tuples, an order-reversing
 * map per dtype (for min via max) and erf from one polynomial.
 */
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { P } from "./primitives.js";

/** [0, 1, ..., n - 1] as int32 on the current device. */
export function range(n: number): Tensor {
  return P.cumsum(P.fill({ shape: [n], dtype: "int32", value: 1 }), { axis: 0, exclusive: true, reverse: false });
}

/** A scalar of `dtype` on the current device. */
export function scalar(value: number, dtype: DType): Tensor {
  return P.fill({ shape: [], dtype, value });
}

/**
 * Flat offset of every element of a strided window of a row-major tensor of `shape`:
 * offsets[i] = sum_d (begin[d] + i[d] * strides[d]) * stride(shape)[d], with the window's shape.
 */
export function windowOffsets(shape: readonly number[], window: readonly number[], begin: readonly number[], strides: readonly number[]): Tensor {
  let acc: Tensor = scalar(0, "int32");
  let outer = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const along = P.mul(P.add(P.mul(range(window[d]!), strides[d]!), begin[d]!), outer);
    acc = P.add(acc, P.reshape(along, { shape: window.map((n, j) => (j === d ? n : 1)) }));
    outer *= shape[d]!;
  }
  return acc;
}

/** Row-major flat offsets of the index tuples in `indices` [..., K] into the leading K axes of `shape`. */
export function tupleOffsets(indices: Tensor, shape: readonly number[]): Tensor {
  const k = indices.shape[indices.shape.length - 1]!;
  const strides = shape.slice(0, k).map((_, j) => shape.slice(j + 1, k).reduce((a, b) => a * b, 1));
  const weights = k > 0 ? strides : P.fill({ shape: [0], dtype: "int32", value: 0 });
  return P.sum(P.mul(indices, weights), { axes: [indices.shape.length - 1], keepDims: false });
}

/**
 * An order-reversing map that is exact in every dtype: -x for floats, -x - 1 (bitwise not,
 * no overflow) for int32, not x for bool. Applying it twice gives x back.
 */
export function reverseOrder(x: Tensor): Tensor {
  if (x.dtype === "bool") return P.logicalNot(x);
  if (x.dtype === "int32") return P.sub(P.neg(x), 1);
  return P.neg(x);
}

// Abramowitz and Stegun 7.1.26: erf|x| = 1 - t (a1 + t (a2 + ... + t a5)) e^(-x^2), t = 1 / (1 + p |x|).
const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
/** Absolute error bound of `erfPolynomial` (and of the ops built on it). */
export const ERF_ATOL = 1.5e-7;

/** The error function from one polynomial (absolute error below 1.5e-7). */
export function erfPolynomial(x: Tensor): Tensor {
  const t = P.div(1, P.add(P.mul(P.abs(x), ERF_P), 1));
  let poly: Tensor = P.mul(t, ERF_A[4]!);
  for (let i = 3; i >= 0; i--) poly = P.mul(P.add(poly, ERF_A[i]!), t);
  const tail = P.mul(poly, P.exp(P.neg(P.mul(x, x))));
  return P.mul(P.sign(x), P.sub(1, tail));
}

/**
 * e^x - 1 by Kahan's correction: with u = e^x rounded, (u - 1) x / log u is accurate near 0;
 * x itself where u rounds to 1, and u - 1 where u is 0 or infinite.
 */
export function expm1Stable(x: Tensor): Tensor {
  const u = P.exp(x);
  const um1 = P.sub(u, 1);
  const corrected = P.div(P.mul(um1, x), P.log(u));
  return P.where(P.equal(um1, 0), x, P.where(P.logicalOr(P.equal(um1, -1), P.equal(u, Infinity)), um1, corrected));
}
