/**
 * Batched matmul as a tiled kernel: each 16x16 workgroup stages 16x16 tiles of A and B in
 * workgroup memory and accumulates one output element per thread. Transposes are strides
 * (no copy); broadcast batch dimensions map each output batch to its A and B offsets.
 */
import type { KernelTable, KernelTensor } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { header, sizeOf, strides, wgslType } from "../wgsl.js";

type T = KernelTensor<GpuBuffer>;
const TILE = 16;

function matmulSource(t: string): string {
  const zero = `${t}(0)`;
  return `${header([{ name: "y", type: t, write: true }, { name: "A", type: t }, { name: "B", type: t }])}
var<workgroup> ta: array<array<${t}, ${TILE}>, ${TILE}>;
var<workgroup> tb: array<array<${t}, ${TILE}>, ${TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let asr = pu(3u);
  let asc = pu(4u);
  let bsr = pu(5u);
  let bsc = pu(6u);
  let br = pu(7u);
  let batch = wid.z;
  var aoff = 0u;
  var boff = 0u;
  var rem = batch;
  for (var d = i32(br) - 1; d >= 0; d--) {
    let dim = pu(8u + u32(d));
    let c = rem % dim;
    rem = rem / dim;
    aoff += c * pu(8u + br + u32(d));
    boff += c * pu(8u + 2u * br + u32(d));
  }
  let row = wid.y * ${TILE}u + lid.y;
  let col = wid.x * ${TILE}u + lid.x;
  var acc = ${zero};
  for (var k0 = 0u; k0 < K; k0 += ${TILE}u) {
    let ka = k0 + lid.x;
    var av = ${zero};
    if (row < M && ka < K) { av = A[aoff + row * asr + ka * asc]; }
    ta[lid.y][lid.x] = av;
    let kb = k0 + lid.y;
    var bv = ${zero};
    if (kb < K && col < N) { bv = B[boff + kb * bsr + col * bsc]; }
    tb[lid.y][lid.x] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE}u; kk++) { acc = acc + ta[lid.y][kk] * tb[kk][lid.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) { y[batch * M * N + row * N + col] = acc; }
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

/** The matmul kernel. */
export function matmulKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, "matmul"> {
  return {
    matmul: ([a, b], [y], at) => {
      const A = a as T;
      const ra = A.shape.length;
      const ry = y!.shape.length;
      const M = y!.shape[ry - 2]!;
      const N = y!.shape[ry - 1]!;
      const K = at.transposeA ? A.shape[ra - 2]! : A.shape[ra - 1]!;
      const batch = y!.shape.slice(0, -2);
      const [asr, asc] = at.transposeA ? [1, M] : [K, 1];
      const [bsr, bsc] = at.transposeB ? [1, K] : [N, 1];
      const params = [M, N, K, asr, asc, bsr, bsc, batch.length, ...batch, ...batchSteps(A.shape, batch), ...batchSteps(b!.shape, batch)];
      const t = wgslType(y!.dtype);
      rt().dispatch(`matmul:${t}`, () => matmulSource(t), [y!.data, A.data, b!.data], params, [Math.ceil(N / TILE), Math.ceil(M / TILE), sizeOf(batch)]);
    },
  };
}
