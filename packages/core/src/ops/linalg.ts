/**
 * Linear algebra: batched matmul with transposes and broadcast batch dimensions.
 * d(A B) = (dY B^T, A^T dY), transposes folded into the flags.
 */
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { broadcastShapes, broadcastStrides, shapeStr, sizeOf, stridesOf } from "../shape.js";
import { P } from "./primitives.js";
import { defineOp } from "./def.js";

export interface MatmulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

export const linalgOps = {
  matmul: defineOp<MatmulAttrs>({
    name: "matmul",
    family: "linalg",
    arity: 2,
    promote: "arith",
    infer: ([a, b], at) => {
      if (typeof at.transposeA !== "boolean" || typeof at.transposeB !== "boolean")
        throw new InvalidArgumentError(`matmul: transposeA and transposeB must be booleans, got ${String(at.transposeA)} and ${String(at.transposeB)}`);
      if (a!.shape.length < 2 || b!.shape.length < 2)
        throw new ShapeError(`matmul: both inputs need rank >= 2, got a ${shapeStr(a!.shape)} and b ${shapeStr(b!.shape)}`);
      if (a!.dtype !== b!.dtype) throw new DTypeError(`matmul: dtypes differ: ${a!.dtype} and ${b!.dtype}`);
      const ra = a!.shape.length;
      const rb = b!.shape.length;
      const [m, ka] = at.transposeA ? [a!.shape[ra - 1]!, a!.shape[ra - 2]!] : [a!.shape[ra - 2]!, a!.shape[ra - 1]!];
      const [kb, n] = at.transposeB ? [b!.shape[rb - 1]!, b!.shape[rb - 2]!] : [b!.shape[rb - 2]!, b!.shape[rb - 1]!];
      if (ka !== kb)
        throw new ShapeError(
          `matmul: inner dimensions differ: a is ${shapeStr(a!.shape)}${at.transposeA ? " (transposed)" : ""}, b is ${shapeStr(b!.shape)}${at.transposeB ? " (transposed)" : ""}`,
        );
      const batch = broadcastShapes("matmul (batch dimensions)", a!.shape.slice(0, -2), b!.shape.slice(0, -2));
      return [{ shape: [...batch, m, n], dtype: a!.dtype }];
    },
    ref: ([a, b], [y], at) => {
      const ra = a!.shape.length;
      const rb = b!.shape.length;
      const ry = y!.shape.length;
      const m = y!.shape[ry - 2]!;
      const n = y!.shape[ry - 1]!;
      const k = at.transposeA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
      const batchShape = y!.shape.slice(0, -2);
      const batches = sizeOf(batchShape);
      // Element offset of each output batch's matrix in a and in b (0 along broadcast dimensions).
      const batchOffsets = (shape: readonly number[], matSize: number): Int32Array => {
        const strides = broadcastStrides(shape.slice(0, -2), batchShape);
        const offs = new Int32Array(batches);
        const outStrides = stridesOf(batchShape);
        for (let bi = 0; bi < batches; bi++) {
          let off = 0;
          for (let d = 0; d < batchShape.length; d++) off += (Math.floor(bi / outStrides[d]!) % batchShape[d]!) * strides[d]!;
          offs[bi] = off * matSize;
        }
        return offs;
      };
      const aOffsets = batchOffsets(a!.shape, m * k);
      const bOffsets = batchOffsets(b!.shape, k * n);
      const A = a!.data;
      const B = b!.data;
      const Y = y!.data;
      const [asr, asc] = at.transposeA ? [1, m] : [k, 1];
      const [bsr, bsc] = at.transposeB ? [1, k] : [n, 1];
      // Row i of Y accumulates a[i, p] * b[p, :] over p in float64 (contiguous in b unless transposed).
      const acc = new Float64Array(n);
      for (let bi = 0; bi < batches; bi++) {
        const ao = aOffsets[bi]!;
        const bo = bOffsets[bi]!;
        const yo = bi * m * n;
        for (let i = 0; i < m; i++) {
          acc.fill(0);
          for (let p = 0; p < k; p++) {
            const av = A[ao + i * asr + p * asc]!;
            const br = bo + p * bsr;
            for (let j = 0; j < n; j++) acc[j]! += av * B[br + j * bsc]!;
          }
          Y.set(acc, yo + i * n);
        }
      }
    },
    saves: { inputs: true },
    vjp: ([g], c) => {
      const [a, b] = c.inputs;
      const { transposeA: ta, transposeB: tb } = c.attrs;
      // Y = op(A) op(B); dA = dY op(B)^T (transposed back if A was), likewise dB.
      const da = ta ? P.matmul(b!, g!, { transposeA: tb, transposeB: true }) : P.matmul(g!, b!, { transposeA: false, transposeB: !tb });
      const db = tb ? P.matmul(g!, a!, { transposeA: true, transposeB: ta }) : P.matmul(a!, g!, { transposeA: !ta, transposeB: false });
      return [da, db];
    },
    test: {
      cases: [
        { shapes: [[3, 4], [4, 5]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[4, 3], [4, 5]], attrs: { transposeA: true, transposeB: false } },
        { shapes: [[3, 4], [5, 4]], attrs: { transposeA: false, transposeB: true } },
        { shapes: [[4, 3], [5, 4]], attrs: { transposeA: true, transposeB: true } },
        { shapes: [[2, 3, 4], [4, 2]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[2, 1, 3, 4], [3, 4, 2]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[0, 4], [4, 3]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[3, 0], [0, 2]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[5, 3], [2, 3, 1]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[1, 7], [7, 1]], attrs: { transposeA: false, transposeB: false } },
        { shapes: [[3, 4], [4, 5]], dtypes: ["int32", "int32"], attrs: { transposeA: false, transposeB: false } },
      ],
    },
  }),
};
