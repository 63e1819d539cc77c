/**
 * Batched matmul: a tiled kernel (each 16x16 workgroup stages a 64x16 tile of A and a 16x64
 * tile of B in workgroup memory and accumulates a 4x4 block per thread) for large products, a direct one-thread-
 * per-output kernel for thin ones. Transposes are strides
 * (no copy); broadcast batch dimensions map each output batch to its A and B offsets. An
 * elementwise epilogue (head.ts) is applied to each accumulator before its store.
 */
import type { KernelTable, KernelTensor } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { header, sizeOf, strides, wgslType } from "../wgsl.js";
import { dispatchHead, stored, withTail, type HeadDispatch, type Tail } from "./head.js";

type T = KernelTensor<GpuBuffer>;
/** The tiled kernel's block: BM x BM outputs per 16x16 workgroup (4x4 per thread), K in steps of BK. */
const BM = 64;
const BK = 16;
/** Register-block indices, unrolled in the generated WGSL (scalars stay in registers). */
const Q = [0, 1, 2, 3];
/** Below this size in any of M, N, K the direct kernel wins (workgroup barriers cost more than they save). */
const TILED_MIN = 64;

/** WGSL: params M..bsc as lets, and aoff/boff of output batch `batch` from the broadcast batch steps. */
const PROLOGUE = `let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let asr = pu(3u);
  let asc = pu(4u);
  let bsr = pu(5u);
  let bsc = pu(6u);
  let br = pu(7u);
  var aoff = 0u;
  var boff = 0u;
  var rem = batch;
  for (var d = i32(br) - 1; d >= 0; d--) {
    let dim = pu(8u + u32(d));
    let c = rem % dim;
    rem = rem / dim;
    aoff += c * pu(8u + br + u32(d));
    boff += c * pu(8u + 2u * br + u32(d));
  }`;

/** One thread per output element, no shared memory: best for thin or small products. */
function directSource(t: string, tail: Tail | null): string {
  const { bindings, fns } = withTail(tail, [{ name: "y", type: t, write: true }, { name: "A", type: t }, { name: "B", type: t }]);
  return `${header(bindings)}
${fns}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let batch = gid.z;
  ${PROLOGUE}
  let col = gid.x % N;
  let row = gid.x / N;
  if (row >= M) { return; }
  var acc = ${t}(0);
  for (var k = 0u; k < K; k++) { acc = acc + A[aoff + row * asr + k * asc] * B[boff + k * bsr + col * bsc]; }
  let o = batch * M * N + row * N + col;
  y[o] = ${stored(tail, "o", "acc")};
}
`;
}

function tiledSource(t: string, tail: Tail | null): string {
  const zero = `${t}(0)`;
  const { bindings, fns } = withTail(tail, [{ name: "y", type: t, write: true }, { name: "A", type: t }, { name: "B", type: t }]);
  return `${header(bindings)}
${fns}
fn store(base: u32, row: u32, col: u32, M: u32, N: u32, v: ${t}) { if (row < M && col < N) { let o = base + row * N + col; y[o] = ${stored(tail, "o", "v")}; } }
var<workgroup> As: array<array<${t}, ${BK}>, ${BM}>;
var<workgroup> Bs: array<array<${t}, ${BM}>, ${BK}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let batch = wid.z;
  ${PROLOGUE}
  let tid = lid.y * 16u + lid.x;
  let row0 = wid.y * ${BM}u;
  let col0 = wid.x * ${BM}u;
  ${Q.map((r) => Q.map((c) => `var acc${r}${c} = ${zero};`).join(" ")).join("\n  ")}
  for (var k0 = 0u; k0 < K; k0 += ${BK}u) {
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      let r = e / ${BK}u;
      let ka = e % ${BK}u;
      var av = ${zero};
      if (row0 + r < M && k0 + ka < K) { av = A[aoff + (row0 + r) * asr + (k0 + ka) * asc]; }
      As[r][ka] = av;
      let kb = e / ${BM}u;
      let c = e % ${BM}u;
      var bv = ${zero};
      if (k0 + kb < K && col0 + c < N) { bv = B[boff + (k0 + kb) * bsr + (col0 + c) * bsc]; }
      Bs[kb][c] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      ${Q.map((q) => `let a${q} = As[lid.y * 4u + ${q}u][kk]; let b${q} = Bs[kk][lid.x * 4u + ${q}u];`).join("\n      ")}
      ${Q.map((r) => Q.map((c) => `acc${r}${c} = acc${r}${c} + a${r} * b${c};`).join(" ")).join("\n      ")}
    }
    workgroupBarrier();
  }
  ${Q.map((r) => Q.map((c) => `store(batch * M * N, row0 + lid.y * 4u + ${r}u, col0 + lid.x * 4u + ${c}u, M, N, acc${r}${c});`).join("\n  ")).join("\n  ")}
}
`;
}

/** Element offsets of each matrix of `shape` along the broadcast batch dimensions `batch`. */
function batchSteps(shape: readonly number[], batch: readonly number[]): number[] {
  const own = shape.slice(0, -2);
  const mat = sizeOf(shape.slice(-2));
  const st = strides(own);
  const off = batch.length - own.length;
  return batch.map((_, d) => (d < off || own[d - off] === 1 ? 0 : st[d - off]! * mat));
}

/** The dispatch of matmul `y = a @ b` (transposes from the attrs), with or without an epilogue. */
export function matmulHead([a, b]: readonly T[], y: T, at: { readonly transposeA: boolean; readonly transposeB: boolean }): HeadDispatch {
  const ra = a!.shape.length;
  const ry = y.shape.length;
  const M = y.shape[ry - 2]!;
  const N = y.shape[ry - 1]!;
  const K = at.transposeA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
  const batch = y.shape.slice(0, -2);
  const [asr, asc] = at.transposeA ? [1, M] : [K, 1];
  const [bsr, bsc] = at.transposeB ? [1, K] : [N, 1];
  const params = [M, N, K, asr, asc, bsr, bsc, batch.length, ...batch, ...batchSteps(a!.shape, batch), ...batchSteps(b!.shape, batch)];
  const t = wgslType(y.dtype);
  const buffers = [y.data, a!.data, b!.data];
  if (M >= TILED_MIN && N >= TILED_MIN && K >= TILED_MIN)
    return { key: `matmul:tiled:${t}`, source: (tail) => tiledSource(t, tail), buffers, params, workgroups: [Math.ceil(N / BM), Math.ceil(M / BM), sizeOf(batch)] };
  return { key: `matmul:direct:${t}`, source: (tail) => directSource(t, tail), buffers, params, workgroups: [Math.ceil((M * N) / 64), 1, sizeOf(batch)] };
}

/** The matmul kernel. */
export function matmulKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, "matmul"> {
  return {
    matmul: (inputs, [y], at) => dispatchHead(rt(), matmulHead(inputs, y!, at)),
  };
}
