/**
 * The index family: gather, gatherND and oneHot read one element per thread; the scatter-adds
 * (unsortedSegmentSum, scatterND) have no float atomics to lean on, so each output element
 * loops over the indices and sums the updates that land on it. Indices out of range read 0.
 */
import type { KernelTable } from "@eager/core/backend";
import { grid, type GpuBuffer, type Runtime } from "../runtime.js";
import { perElement, sizeOf, strides, valueBits, WG, wgslType } from "../wgsl.js";

type IndexOps = "gather" | "unsortedSegmentSum" | "gatherND" | "scatterND" | "oneHot";

/** [B, O, I, R]: x viewed as [batch, outer, axis, rest] and indices as [batch, I]. */
function blocks(x: readonly number[], idx: readonly number[], axis: number, batchDims: number, k: number): [number, number, number, number] {
  return [sizeOf(x.slice(0, batchDims)), sizeOf(x.slice(batchDims, axis)), sizeOf(idx.slice(batchDims)), sizeOf(x.slice(axis + k))];
}

const groups = (n: number) => grid(Math.ceil(n / WG));

/** Decompose i over [B, O, M, R] (params p[1..4]) into b, o, m, r. */
const SPLIT = `let O = pu(1u);
  let M = pu(2u);
  let R = pu(3u);
  let r = i % R;
  let t = i / R;
  let m = t % M;
  let o = (t / M) % O;
  let b = t / M / O;`;

/** WGSL: the flat block offset of index row t of K entries (strides p[4..4+K), bounds p[4+K..)), or -1. */
const TUPLE = /* wgsl */ `
fn tuple_offset(t: u32) -> i32 {
  let K = pu(2u);
  var off = 0;
  for (var j = 0u; j < K; j++) {
    let v = idx[t * K + j];
    if (v < 0 || v >= p[4u + K + j]) { return -1; }
    off += v * p[4u + j];
  }
  return off;
}
`;

/** Kernels of the index family. */
export function indexKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, IndexOps> {
  return {
    gather: ([x, idx], [y], a) => {
      const [, O, I, R] = blocks(x!.shape, idx!.shape, a.axis, a.batchDims, 1);
      const N = x!.shape[a.axis]!;
      const body = `${SPLIT}
  let j = idx[b * M + m];
  if (j < 0 || j >= p[4]) { y[i] = 0u; return; }
  y[i] = xs[((b * O + o) * pu(4u) + u32(j)) * R + r];`;
      const src = () => perElement([{ name: "y", type: "u32", write: true }, { name: "xs", type: "u32" }, { name: "idx", type: "i32" }], body);
      rt().dispatch("gather", src, [y!.data, x!.data, idx!.data], [y!.size, O, I, R, N], groups(y!.size));
    },
    unsortedSegmentSum: ([x, ids], [y], a) => {
      const k = ids!.shape.length - a.batchDims;
      const [, O, I, R] = blocks(x!.shape, ids!.shape, a.axis, a.batchDims, k);
      const t = wgslType(y!.dtype);
      const body = `${SPLIT}
  let I = pu(4u);
  var acc: ${t} = ${t}(0);
  for (var j = 0u; j < I; j++) {
    if (ids[b * I + j] == i32(m)) { acc = acc + xs[((b * O + o) * I + j) * R + r]; }
  }
  y[i] = acc;`;
      const src = () => perElement([{ name: "y", type: t, write: true }, { name: "xs", type: t }, { name: "ids", type: "i32" }], body);
      rt().dispatch(`unsortedSegmentSum:${t}`, src, [y!.data, x!.data, ids!.data], [y!.size, O, a.numSegments, R, I], groups(y!.size));
    },
    gatherND: ([x, idx], [y]) => {
      const K = idx!.shape[idx!.shape.length - 1]!;
      const R = sizeOf(x!.shape.slice(K));
      const body = `let R = pu(1u);
  let off = tuple_offset(i / R);
  if (off < 0) { y[i] = 0u; return; }
  y[i] = xs[u32(off) * R + i % R];`;
      const src = () => perElement([{ name: "y", type: "u32", write: true }, { name: "xs", type: "u32" }, { name: "idx", type: "i32" }], body, TUPLE);
      rt().dispatch("gatherND", src, [y!.data, x!.data, idx!.data], [y!.size, R, K, 0, ...strides(x!.shape.slice(0, K)), ...x!.shape.slice(0, K)], groups(y!.size));
    },
    scatterND: ([idx, upd], [y]) => {
      const K = idx!.shape[idx!.shape.length - 1]!;
      const R = sizeOf(y!.shape.slice(K));
      const rows = K === 0 ? sizeOf(idx!.shape.slice(0, -1)) : idx!.size / K;
      const t = wgslType(y!.dtype);
      const add = t === "u32" ? "acc = select(acc, 1u, u[j * R + r] != 0u);" : "acc = acc + u[j * R + r];";
      const body = `let R = pu(1u);
  let q = i32(i / R);
  let r = i % R;
  var acc: ${t} = ${t}(0);
  for (var j = 0u; j < pu(3u); j++) { if (tuple_offset(j) == q) { ${add} } }
  y[i] = acc;`;
      const src = () => perElement([{ name: "y", type: t, write: true }, { name: "idx", type: "i32" }, { name: "u", type: t }], body, TUPLE);
      rt().dispatch(`scatterND:${t}`, src, [y!.data, idx!.data, upd!.data], [y!.size, R, K, rows, ...strides(y!.shape.slice(0, K)), ...y!.shape.slice(0, K)], groups(y!.size));
    },
    oneHot: ([idx], [y], a) => {
      const body = `let depth = p[1];
  let row = i / u32(depth);
  let j = i32(i % u32(depth));
  y[i] = select(p[3], p[2], idx[row] == j);`;
      const src = () => perElement([{ name: "y", type: "i32", write: true }, { name: "idx", type: "i32" }], body);
      rt().dispatch("oneHot", src, [y!.data, idx!.data], [y!.size, a.depth, valueBits(a.onValue, a.dtype), valueBits(a.offValue, a.dtype)], groups(y!.size));
    },
  } satisfies Pick<KernelTable<GpuBuffer>, IndexOps>;
}

