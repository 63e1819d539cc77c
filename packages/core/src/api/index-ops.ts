/**
 * Public index ops (TF.js signatures): gather, gatherND, scatterND, oneHot and
 * unsortedSegmentSum. Indices must be int32 tensors; plain arrays of integers become int32.
 * Negative axis and batchDims are normalized here, so the op records hold explicit values.
 */
import { asCalled } from "./caller.js";
import type { DType } from "../dtype.js";
import { runOp, toTensor } from "../engine/dispatch.js";
import { normalizeAxis } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";

/** Convert `args` (tensors stay as they are; plain index values become int32), run `f`, dispose conversions. */
function withTensors<R>(where: string, args: readonly [TensorLike, boolean][], f: (ts: Tensor[]) => R): R {
  return asCalled(where, () => withTensorsIn(where, args, f));
}
function withTensorsIn<R>(where: string, args: readonly [TensorLike, boolean][], f: (ts: Tensor[]) => R): R {
  const ts: Tensor[] = [];
  try {
    for (const [x, isIndex] of args) ts.push(toTensor(x, `${where} (${isIndex ? "indices" : "x"})`, isIndex ? "int32" : undefined));
    return f(ts);
  } finally {
    ts.forEach((t, i) => {
      if (t !== args[i]![0]) t.dispose();
    });
  }
}

/**
 * Take slices of `x` along `axis` at `indices`: the result has shape
 * x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:]. With batchDims = b, the first
 * b axes of x and indices are batch axes taken pairwise.
 * @example gather([10, 20, 30], [2, 0, 2]) // [30, 10, 30]
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  return withTensors("gather", [[x, false], [indices, true]], ([t, idx]) => {
    const bd = Number.isInteger(batchDims) && batchDims < 0 ? batchDims + idx!.rank : batchDims;
    return runOp("gather", [t!, idx!], { axis: normalizeAxis(axis, t!.rank, "gather"), batchDims: bd })[0]!;
  });
}

/**
 * Sum the slices of `x` into `numSegments` segments: y[segmentIds[i], ...] += x[i, ...], where
 * segmentIds has the shape of x's leading axes. `axis` and `batchDims` generalize it the way
 * they generalize gather (it is gather's adjoint); ids outside [0, numSegments) are an error.
 * @example unsortedSegmentSum([1, 2, 3, 4], [0, 2, 0, 1], 3) // [4, 4, 2]
 */
export function unsortedSegmentSum(x: TensorLike, segmentIds: TensorLike, numSegments: number, axis = 0, batchDims = 0): Tensor {
  return withTensors("unsortedSegmentSum", [[x, false], [segmentIds, true]], ([t, ids]) => {
    const bd = Number.isInteger(batchDims) && batchDims < 0 ? batchDims + ids!.rank : batchDims;
    const a = Number.isInteger(axis) && axis < 0 ? axis + t!.rank : axis;
    return runOp("unsortedSegmentSum", [t!, ids!], { axis: a, batchDims: bd, numSegments })[0]!;
  });
}

/**
 * Gather by index tuples: indices has shape [..., K]; each row of K indices addresses the
 * leading K axes of x. The result has shape indices.shape[:-1] + x.shape[K:].
 * @example gatherND([[1, 2], [3, 4]], [[1, 0], [0, 1]]) // [3, 2]
 */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  return withTensors("gatherND", [[x, false], [indices, true]], ([t, idx]) => runOp("gatherND", [t!, idx!], {})[0]!);
}

/**
 * A zero tensor of `shape` with `updates` added at the index tuples in `indices` (shape
 * [..., K]); duplicate indices add up, as in TF.
 * @example scatterND([[1], [3], [1]], [9, 10, 11], [4]) // [0, 20, 0, 10]
 */
export function scatterND(indices: TensorLike, updates: TensorLike, shape: readonly number[]): Tensor {
  return withTensors("scatterND", [[indices, true], [updates, false]], ([idx, u]) => runOp("scatterND", [idx!, u!], { shape })[0]!);
}

/**
 * One-hot encode: the result has shape indices.shape + [depth], onValue where the last index
 * equals the value of indices, offValue elsewhere (a row of offValue for indices outside
 * [0, depth), as in TF).
 * @example oneHot([0, 2], 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = "float32"): Tensor {
  return withTensors("oneHot", [[indices, true]], ([idx]) => runOp("oneHot", [idx!], { depth, onValue, offValue, dtype })[0]!);
}

/** Tensor methods contributed by this module. */
export const indexMethods = { gather, gatherND, oneHot, unsortedSegmentSum };
