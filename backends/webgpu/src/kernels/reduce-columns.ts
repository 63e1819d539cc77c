/**
 * Reductions over one block of axes that leaves inner axes (x seen as [outer, n, inner], e.g.
 * axis 0 of a matrix): each invocation folds one output column, neighbours reading neighbouring
 * addresses, with no barriers. A long reduced block with few outputs runs in two passes: chunks
 * of the block into a scratch [chunks, outputs] array, then the same kernel over the chunks.
 */
import type { KernelTensor } from "@eager/core/backend";
import { grid, type GpuBuffer, type Runtime } from "../runtime.js";
import { header, sizeOf, wgslType } from "../wgsl.js";
import { stored, withTail, type HeadDispatch, type Tail } from "./head.js";
import type { ReduceOp } from "./reduce.js";
import { finish, fold } from "./reduce-fold.js";

type T = KernelTensor<GpuBuffer>;

/** x as [outer, n, inner] around the reduced block. */
export interface ColumnBlock {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
}

/** Threads per workgroup of the column kernel (small, so few outputs still spread over workgroups). */
const COL = 64;
/** A reduced block at least this long, with fewer outputs than TARGET_THREADS, is split into chunks. */
const SPLIT_MIN = 256;
/** Shortest chunk of a split block. */
const CHUNK_MIN = 64;
/** Invocations the first pass of a split aims for. */
const TARGET_THREADS = 8192;

/** [outer, n, inner] when `axes` are one contiguous block of x's axes followed by axes of more than one element; otherwise null. */
export function columnBlock(shape: readonly number[], axes: readonly number[]): ColumnBlock | null {
  const red = [...new Set(axes)].sort((a, b) => a - b);
  if (red.length === 0 || red.some((d, k) => d !== red[0]! + k)) return null;
  const lo = red[0]!;
  const hi = red[red.length - 1]! + 1;
  const inner = sizeOf(shape.slice(hi));
  if (inner <= 1) return null;
  return { outer: sizeOf(shape.slice(0, lo)), n: sizeOf(shape.slice(lo, hi)), inner };
}

/**
 * The column kernel. Params: [threads, outputs, inner, n, chunk, count]: thread i folds chunk
 * i / outputs of column i % outputs. `final` stores finish(acc) through the tail at i (then
 * threads = outputs); otherwise the raw partial at i.
 */
function columnSource(op: ReduceOp, xt: string, yt: string, final: boolean, tail: Tail | null): string {
  const f = fold(op, xt);
  const { bindings, fns } = withTail(final ? tail : null, [{ name: "y", type: final ? yt : xt, write: true }, { name: "xs", type: xt }]);
  const store = final ? `y[i] = ${stored(tail, "i", finish(op, "acc", 5))};` : "y[i] = acc;";
  return `${header(bindings)}
${fns}
@compute @workgroup_size(${COL})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${COL}u;
  if (i >= pu(0u)) { return; }
  let outs = pu(1u);
  let inner = pu(2u);
  let n = pu(3u);
  let chunk = pu(4u);
  let o = i % outs;
  let first = (i / outs) * chunk;
  let end = min(n, first + chunk);
  var at = (o / inner) * n * inner + o % inner + first * inner;
  var acc: ${xt} = ${f.init};
  for (var r = first; r < end; r++) {
    acc = ${f.step("acc", "xs[at]")};
    at += inner;
  }
  ${store}
}
`;
}

/** How many chunks the reduced block of length n splits into for `outs` outputs, and their length. */
function split(n: number, outs: number): { chunks: number; chunk: number } {
  if (n < SPLIT_MIN || outs === 0 || outs >= TARGET_THREADS) return { chunks: 1, chunk: n };
  const wanted = Math.min(Math.ceil(n / CHUNK_MIN), Math.ceil(TARGET_THREADS / outs));
  const chunk = Math.ceil(n / wanted);
  return { chunks: Math.ceil(n / chunk), chunk };
}

/** The dispatch of reduction `op` of `x` over the block `b` into `y` (one or two passes). */
export function columnHead(op: ReduceOp, x: T, y: T, b: ColumnBlock): HeadDispatch {
  const xt = wgslType(x.dtype);
  const yt = wgslType(y.dtype);
  const outs = b.outer * b.inner;
  const { chunks, chunk } = split(b.n, outs);
  const finalKey = `reduceColumns:${op}:${x.dtype}:${y.dtype}`;
  const source = (tail: Tail | null) => columnSource(op, xt, yt, true, tail);
  const workgroups = grid(Math.ceil(outs / COL));
  if (chunks === 1) return { key: finalKey, source, buffers: [y.data, x.data], params: [outs, outs, b.inner, b.n, b.n, b.n], workgroups };
  // Second pass: the partials as [1, chunks, outs], one chunk covering all of them.
  return {
    key: finalKey,
    source,
    buffers: [y.data, x.data],
    params: [outs, outs, outs, chunks, chunks, b.n],
    workgroups,
    scratch: {
      bytes: chunks * outs * 4,
      at: 1,
      encode(rt: Runtime, partials: GpuBuffer): void {
        const threads = chunks * outs;
        const partialSource = () => columnSource(op, xt, xt, false, null);
        rt.dispatch(`reduceColumnsPartial:${op}:${x.dtype}`, partialSource, [partials, x.data], [threads, outs, b.inner, b.n, chunk, b.n], grid(Math.ceil(threads / COL)));
      },
    },
  };
}
