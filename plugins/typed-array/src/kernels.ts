/**
 * The typed-array kernels: plain loops over dense row-major typed arrays. Core allocates every
 * output; each kernel writes every output element (buffers are not assumed zeroed). Elementwise
 * math comes from the op table's scalar functions, so it cannot drift from the reference.
 */
import { broadcastStrides, opTable, requiredOps, sizeOf, stridesOf, type DType, type KernelTable, type KernelTensor, type OpName, type TypedArray } from "@eager/core/backend";
import { offsets, windowOffsets } from "./strided.js";

type T = KernelTensor<TypedArray>;
type Kernels = Partial<KernelTable<TypedArray>>;

/** y = f(inputs...) elementwise, with NumPy broadcasting. */
function map(f: (...v: number[]) => number): (ins: readonly T[], outs: readonly T[]) => void {
  return (ins, [y]) => {
    const at = ins.map((t) => (t.size === y!.size ? null : offsets(y!.shape, broadcastStrides(t.shape, y!.shape))));
    const v = new Array<number>(ins.length);
    for (let i = 0; i < y!.size; i++) {
      for (let k = 0; k < ins.length; k++) v[k] = ins[k]!.data[at[k]?.[i] ?? i]!;
      y!.data[i] = f(...v);
    }
  };
}

const LOWEST: Record<DType, number> = { float32: -Infinity, float64: -Infinity, int32: -2147483648, bool: 0 };

/** Fold x over `axes` into y, accumulating in float64 (int32 wraps as the reference does). */
function reduce(init: (d: DType) => number, step: (acc: number, v: number, int: boolean) => number) {
  return ([x]: readonly T[], [y]: readonly T[], a: { axes: readonly number[] }) => {
    const into = offsets(x!.shape, broadcastStrides(x!.shape.map((d, i) => (a.axes.includes(i) ? 1 : d)), x!.shape));
    const acc = new Float64Array(y!.size).fill(init(x!.dtype));
    for (let i = 0; i < x!.size; i++) acc[into[i]!] = step(acc[into[i]!]!, x!.data[i]!, x!.dtype === "int32");
    y!.data.set(acc);
  };
}

/** [outer, n, inner]: `shape` viewed as three blocks around `axis` (a scalar is one element). */
const around = (shape: readonly number[], axis: number) => (shape.length === 0 ? [1, 1, 1] : [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))]) as [number, number, number];

/** y[map[i]] = x[i] (put) or y[i] = x[map[i]] (take). */
const put = (x: T, y: T, at: Int32Array) => at.forEach((o, i) => (y.data[o] = x.data[i]!));
const take = (x: T, y: T, at: Int32Array) => at.forEach((o, i) => (y.data[i] = x.data[o]!));

/**
 * Gather's layout: a [B, O, n, R] side indexed by ids [B, I] against a [B, O, I, R] side (`shape`
 * gives B, O, R; `k` axes of it are indexed). Calls f(offset of the n-side row, of the I-side row, R).
 * An index outside [0, n) throws: typed arrays would read undefined silently.
 */
function gatherRows(op: string, shape: readonly number[], ids: T, a: { axis: number; batchDims: number }, k: number, n: number, f: (nRow: number, iRow: number, R: number) => void): void {
  for (const v of ids.data) if (v < 0 || v >= n) throw new RangeError(`${op}: index ${v} is not in [0, ${n})`);
  const [B, O, I, R] = [sizeOf(shape.slice(0, a.batchDims)), sizeOf(shape.slice(a.batchDims, a.axis)), sizeOf(ids.shape.slice(a.batchDims)), sizeOf(shape.slice(a.axis + k))];
  for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) f(((b * O + o) * n + ids.data[b * I + i]!) * R, ((b * O + o) * I + i) * R, R);
}

/** Descending by value, NaN first, lower index first among equals (the reference's order). */
const topkOrder = (row: TypedArray) => (i: number, j: number) => {
  const [a, b] = [row[i]!, row[j]!];
  if (a !== a || b !== b) return a !== a && b !== b ? i - j : a !== a ? -1 : 1;
  return a === b ? i - j : a > b ? -1 : 1;
};

const kernels: Kernels = {
  where: map((c, a, b) => (c ? a! : b!)),
  cast: (ins, outs, a) => map(a.dtype === "bool" ? (v) => (v !== 0 && v === v ? 1 : 0) : (v) => v)(ins, outs),
  fill: (_, [y], a) => void y!.data.fill(a.dtype === "bool" ? (a.value ? 1 : 0) : a.value),
  sum: reduce(() => 0, (acc, v, int) => (int ? (acc + v) | 0 : acc + v)),
  prod: reduce(() => 1, (acc, v, int) => (int ? Math.imul(acc, v) : acc * v)),
  max: reduce((d) => LOWEST[d], (acc, v) => (v !== v || v > acc ? v : acc)),
  argMax: ([x], [y], a) => {
    const [outer, n, inner] = around(x!.shape, a.axis);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let j = 1, b = x!.data[o * n * inner + i]!; j < n; j++) {
          const v = x!.data[(o * n + j) * inner + i]!;
          if (b === b && (v !== v || v > b)) [b, best] = [v, j];
        }
        y!.data[o * inner + i] = best;
      }
  },
  cumsum: ([x], [y], a) => {
    const [outer, n, inner] = around(x!.shape, a.axis);
    const int = x!.dtype === "int32";
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++)
        for (let s = 0, acc = 0; s < n; s++) {
          const at = (o * n + (a.reverse ? n - 1 - s : s)) * inner + i;
          const next = int ? (acc + x!.data[at]!) | 0 : acc + x!.data[at]!;
          y!.data[at] = a.exclusive ? acc : next;
          acc = next;
        }
  },
  topk: ([x], [values, indices], a) => {
    const n = x!.shape[x!.shape.length - 1]!;
    for (let r = 0; n > 0 && r < x!.size / n; r++) {
      const row = x!.data.subarray(r * n, (r + 1) * n);
      const chosen = Array.from({ length: n }, (_, i) => i).sort(topkOrder(row)).slice(0, a.k);
      if (!a.sorted) chosen.sort((i, j) => i - j);
      chosen.forEach((c, i) => ((values!.data[r * a.k + i] = row[c]!), (indices!.data[r * a.k + i] = c)));
    }
  },
  reshape: ([x], [y]) => y!.data.set(x!.data),
  broadcastTo: ([x], [y]) => take(x!, y!, offsets(y!.shape, broadcastStrides(x!.shape, y!.shape))),
  transpose: ([x], [y], a) => take(x!, y!, offsets(y!.shape, a.perm.map((p) => stridesOf(x!.shape)[p]!))),
  stridedSlice: ([x], [y], a) => take(x!, y!, windowOffsets(x!.shape, y!.shape, a.begin, a.strides)),
  pad: ([x], [y], a) => {
    y!.data.fill(y!.dtype === "bool" ? (a.constantValue ? 1 : 0) : a.constantValue);
    put(x!, y!, windowOffsets(y!.shape, x!.shape, a.paddings.map((p) => p[0]), a.paddings.map(() => 1)));
  },
  concat: (xs, [y], a) => {
    let start = 0;
    for (const x of xs) {
      put(x, y!, windowOffsets(y!.shape, x.shape, y!.shape.map((_, d) => (d === a.axis ? start : 0)), y!.shape.map(() => 1)));
      start += x.shape[a.axis]!;
    }
  },
  matmul: ([a, b], [y], at) => {
    const [m, n] = y!.shape.slice(-2) as [number, number];
    const k = a!.shape[a!.shape.length - (at.transposeA ? 2 : 1)]!;
    const batch = y!.shape.slice(0, -2);
    const aAt = offsets(batch, broadcastStrides(a!.shape.slice(0, -2), batch).map((s) => s * m * k));
    const bAt = offsets(batch, broadcastStrides(b!.shape.slice(0, -2), batch).map((s) => s * k * n));
    const [ar, ac] = at.transposeA ? [1, m] : [k, 1];
    const [br, bc] = at.transposeB ? [1, k] : [n, 1];
    for (let q = 0; q < aAt.length; q++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a!.data[aAt[q]! + i * ar + p * ac]! * b!.data[bAt[q]! + p * br + j * bc]!;
          y!.data[(q * m + i) * n + j] = s;
        }
  },
  gather: ([x, ids], [y], a) => gatherRows("gather", x!.shape, ids!, a, 1, x!.shape[a.axis]!, (src, dst, R) => y!.data.set(x!.data.subarray(src, src + R), dst)),
  unsortedSegmentSum: ([x, ids], [y], a) => {
    y!.data.fill(0);
    gatherRows("unsortedSegmentSum", x!.shape, ids!, a, ids!.shape.length - a.batchDims, a.numSegments, (dst, src, R) => {
      for (let r = 0; r < R; r++) y!.data[dst + r]! += x!.data[src + r]!;
    });
  },
};

// The required elementwise ops (unary and binary) map the table's scalar function.
for (const op of requiredOps) if (opTable[op].scalar) (kernels as Record<string, unknown>)[op] = map(opTable[op].scalar);

/** Every kernel of the typed-array backend, by op name, and the ops it covers. */
export { kernels as typedArrayKernels };
export const typedArrayOps = Object.keys(kernels) as OpName[];
