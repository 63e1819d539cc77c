/**
 * Public linear algebra (TF.js signatures): matmul, and dot and outer as composites of
 * reshape, matmul and mul (so their gradients come from those primitives).
 */
import { asCalled } from "./caller.js";
import { runOp, toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { ShapeError } from "../errors.js";
import { shapeStr } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { noteHeavyOp } from "./slow-backend-warning.js";

/**
 * Matrix product of the last two dimensions; leading dimensions broadcast as batches.
 * @example matmul([[2]], [[2]]) // Tensor([[4]], shape=[1,1], dtype=float32)
 */
export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const out = runOp("matmul", [a, b], { transposeA, transposeB })[0]!;
  if (a instanceof Tensor && a.rank >= 2) noteHeavyOp("matmul", out.size * a.shape[transposeA ? a.rank - 2 : a.rank - 1]!, out);
  return out;
}

/** TF.js's spelling of {@link matmul}. @example matMul([[1, 2]], [[3], [4]]) // [[11]] */
export const matMul = matmul;

const reshape = (t: Tensor, shape: readonly number[]): Tensor => runOp("reshape", [t], { shape })[0]!;

/**
 * Dot product of rank-1 or rank-2 tensors (TF.js semantics): vector . vector gives a scalar,
 * matrix . vector and vector . matrix a vector, matrix . matrix the matrix product.
 * @example dot([1, 2, 3], [4, 5, 6]) // 32
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  return asCalled("dot", () => {
    return tidy(() => {
      const t1 = toTensor(a, "dot (a)");
      const t2 = toTensor(b, "dot (b)", t1.dtype);
      if (t1.rank < 1 || t1.rank > 2 || t2.rank < 1 || t2.rank > 2)
        throw new ShapeError(`dot: inputs must be rank 1 or 2, got a ${shapeStr(t1.shape)} and b ${shapeStr(t2.shape)}`);
      const inner1 = t1.shape[t1.rank - 1]!;
      const inner2 = t2.shape[0]!;
      if (inner1 !== inner2) throw new ShapeError(`dot: inner dimensions differ: a ${shapeStr(t1.shape)} has ${inner1}, b ${shapeStr(t2.shape)} has ${inner2}`);
      const m1 = t1.rank === 1 ? reshape(t1, [1, inner1]) : t1;
      const m2 = t2.rank === 1 ? reshape(t2, [inner2, 1]) : t2;
      const p = matmul(m1, m2);
      if (t1.rank === 2 && t2.rank === 2) return p;
      const shape = t1.rank === 1 && t2.rank === 1 ? [] : t1.rank === 1 ? [t2.shape[1]!] : [t1.shape[0]!];
      return reshape(p, shape);
    });
  });
}

/**
 * Outer product of two vectors: out[i, j] = a[i] * b[j].
 * @example outer([1, 2], [3, 4, 5]) // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  return tidy(() => {
    const v1 = toTensor(a, "outer (a)");
    const v2 = toTensor(b, "outer (b)", v1.dtype);
    if (v1.rank !== 1 || v2.rank !== 1) throw new ShapeError(`outer: inputs must be rank 1, got a ${shapeStr(v1.shape)} and b ${shapeStr(v2.shape)}`);
    return runOp("mul", [reshape(v1, [v1.size, 1]), reshape(v2, [1, v2.size])], {})[0]!;
  });
}

/** TF.js's name for {@link outer}. @example outerProduct([1, 2], [3, 4]) // [[3, 4], [6, 8]] */
export const outerProduct = outer;

/** Tensor methods contributed by this module. */
export const linalgMethods = { matmul, dot };
