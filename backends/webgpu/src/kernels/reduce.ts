/**
 * The reduction family: sum, mean, prod, max, min, all and any; argMax/argMin and cumsum as
 * one thread per line, topk by ranking. sum..any over one block of axes that leaves inner
 * axes (e.g. axis 0 of a matrix) run as columns (reduce-columns.ts); other reductions as a
 * workgroup tree in shared memory (one workgroup per output element; short reductions use one
 * thread per output instead). sum..any take an elementwise epilogue (head.ts) before each store.
 */
import { kernelsFor, type KernelTable, type KernelTensor } from "@eager/core/backend";
import { grid, type GpuBuffer, type Runtime } from "../runtime.js";
import { header, perElement, sizeOf, strides, WG, wgslType } from "../wgsl.js";
import { dispatchHead, stored, withTail, type HeadDispatch, type Tail } from "./head.js";
import { columnBlock, columnHead } from "./reduce-columns.js";
import { finish, fold } from "./reduce-fold.js";

type T = KernelTensor<GpuBuffer>;
/** The reductions one template covers (the fold per op is in reduce-fold.ts). */
export const REDUCE_OPS = ["sum", "mean", "prod", "max", "min", "all", "any"] as const;
/** A reduction with a tree kernel (and an epilogue form). */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** WGSL computing `off`, the x offset of reduced element r for output o (see reduceParams). */
const OFFSET = /* wgsl */ `
fn x_offset(o: u32, r: u32) -> u32 {
  let count = pu(1u);
  let kr = pu(2u);
  let rr = pu(3u);
  if (pu(4u) == 1u) { return o * count + r; }
  var off = 0u;
  var rem = o;
  for (var d = i32(kr) - 1; d >= 0; d--) {
    let dim = pu(5u + u32(d));
    off += (rem % dim) * pu(5u + kr + u32(d));
    rem = rem / dim;
  }
  rem = r;
  for (var d = i32(rr) - 1; d >= 0; d--) {
    let dim = pu(5u + 2u * kr + u32(d));
    off += (rem % dim) * pu(5u + 2u * kr + rr + u32(d));
    rem = rem / dim;
  }
  return off;
}
`;

/** Params: [outCount, count, keptRank, redRank, inner, keptShape, keptStrides, redShape, redStrides]. */
function reduceParams(x: T, axes: readonly number[], outCount: number): { params: number[]; count: number } {
  const st = strides(x.shape);
  const red = new Set(axes);
  const kept = x.shape.map((_, d) => d).filter((d) => !red.has(d));
  const reduced = [...red].sort((a, b) => a - b);
  const count = sizeOf(reduced.map((d) => x.shape[d]!));
  const trailing = reduced.every((d, k) => d === x.shape.length - reduced.length + k);
  const params = [outCount, count, kept.length, reduced.length, trailing ? 1 : 0];
  params.push(...kept.map((d) => x.shape[d]!), ...kept.map((d) => st[d]!), ...reduced.map((d) => x.shape[d]!), ...reduced.map((d) => st[d]!));
  return { params, count };
}

/** Threads of a tree workgroup: 64 keeps barriers and idle threads few (256 was ~10x slower on SwiftShader). */
const TREE = 64;

function reduceSource(op: ReduceOp, xt: string, yt: string, tree: boolean, tail: Tail | null): string {
  const f = fold(op, xt);
  const { bindings, fns } = withTail(tail, [{ name: "y", type: yt, write: true }, { name: "xs", type: xt }], OFFSET);
  if (!tree) return perElement(bindings, `var acc: ${xt} = ${f.init};\n  for (var r = 0u; r < pu(1u); r++) { acc = ${f.step("acc", "xs[x_offset(i, r)]")}; }\n  y[i] = ${stored(tail, "i", finish(op, "acc", 1))};`, fns);
  return `${header(bindings)}
${fns}
var<workgroup> part: array<${xt}, ${TREE}>;
@compute @workgroup_size(${TREE})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= pu(0u)) { return; }
  var acc: ${xt} = ${f.init};
  for (var r = lid; r < pu(1u); r += ${TREE}u) { acc = ${f.step("acc", "xs[x_offset(o, r)]")}; }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] = ${f.step("part[lid]", "part[lid + s]")}; }
    workgroupBarrier();
  }
  if (lid == 0u) { y[o] = ${stored(tail, "o", finish(op, "part[0]", 1))}; }
}
`;
}

/** The dispatch of reduction `op` of `x` over `axes` into `y`, with or without an epilogue. */
export function reduceHead(op: ReduceOp, x: T, y: T, axes: readonly number[]): HeadDispatch {
  const block = columnBlock(x.shape, axes);
  if (block) return columnHead(op, x, y, block);
  const { params, count } = reduceParams(x, axes, y.size);
  const tree = count > 64;
  const xt = wgslType(x.dtype);
  const yt = wgslType(y.dtype);
  return {
    key: `reduce:${op}:${x.dtype}:${tree ? "tree" : "serial"}`,
    source: (tail) => reduceSource(op, xt, yt, tree, tail),
    buffers: [y.data, x.data],
    params,
    workgroups: tree ? grid(y.size) : grid(Math.ceil(y.size / WG)),
  };
}

function reduceKernel(rt: () => Runtime, op: ReduceOp) {
  return ([x]: readonly T[], [y]: readonly T[], a: { axes: readonly number[] }): void => dispatchHead(rt(), reduceHead(op, x!, y!, a.axes));
}

/** [outer, n, inner] of a scan along `axis` (a scalar is one element along axis 0). */
function lines(shape: readonly number[], axis: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

const LINE = "let n = pu(1u);\n  let inner = pu(2u);\n  let base = (i / inner) * n * inner + i % inner;";

function argKernel(rt: () => Runtime, op: "argMax" | "argMin") {
  return ([x]: readonly T[], [y]: readonly T[], a: { axis: number }): void => {
    const [outer, n, inner] = lines(x!.shape, a.axis);
    const t = wgslType(x!.dtype);
    const better = `${t === "f32" ? "is_nan(v) || " : ""}v ${op === "argMax" ? ">" : "<"} best`;
    const guard = t === "f32" ? "!is_nan(best) && " : "";
    const body = `${LINE}
  var best = xs[base];
  var at = 0u;
  for (var j = 1u; j < n; j++) {
    let v = xs[base + j * inner];
    if (${guard}(${better})) { best = v; at = j; }
  }
  y[i] = i32(at);`;
    rt().dispatch(`${op}:${x!.dtype}`, () => perElement([{ name: "y", type: "i32", write: true }, { name: "xs", type: t }], body), [y!.data, x!.data], [outer * inner, n, inner], grid(Math.ceil((outer * inner) / WG)));
  };
}

function cumsumKernel(rt: () => Runtime) {
  return ([x]: readonly T[], [y]: readonly T[], a: { axis: number; exclusive: boolean; reverse: boolean }): void => {
    const [outer, n, inner] = lines(x!.shape, a.axis);
    const t = wgslType(x!.dtype);
    const body = `${LINE}
  let exclusive = p[3] != 0;
  let reverse = p[4] != 0;
  var acc: ${t} = ${t}(0);
  for (var s = 0u; s < n; s++) {
    var j = s;
    if (reverse) { j = n - 1u - s; }
    let at = base + j * inner;
    let v = xs[at];
    if (!exclusive) { acc = acc + v; }
    y[at] = acc;
    if (exclusive) { acc = acc + v; }
  }`;
    const params = [outer * inner, n, inner, a.exclusive ? 1 : 0, a.reverse ? 1 : 0];
    rt().dispatch(`cumsum:${x!.dtype}`, () => perElement([{ name: "y", type: t, write: true }, { name: "xs", type: t }], body), [y!.data, x!.data], params, grid(Math.ceil((outer * inner) / WG)));
  };
}

/** WGSL: does element j come before element i of the row at `base` (descending, NaN first, ties by index)? */
const BEFORE = (t: string) => /* wgsl */ `
fn before(base: u32, j: u32, i: u32) -> bool {
  let a = xs[base + j];
  let b = xs[base + i];
  ${t === "f32" ? "let an = is_nan(a);\n  let bn = is_nan(b);\n  if (an || bn) { if (an && bn) { return j < i; } return an; }" : ""}
  if (a == b) { return j < i; }
  return a > b;
}
`;

function topkKernel(rt: () => Runtime) {
  return ([x]: readonly T[], [values, indices]: readonly T[], a: { k: number; sorted: boolean }): void => {
    const r = rt();
    const n = x!.shape[x!.shape.length - 1]!;
    const total = x!.size;
    const t = wgslType(x!.dtype);
    const ranks = { buffer: r.storage.acquire(total * 4), generation: r.generation };
    const rankBody = `let n = pu(1u);
  let base = (i / n) * n;
  let me = i % n;
  var rank = 0u;
  for (var j = 0u; j < n; j++) { if (j != me && before(base, j, me)) { rank++; } }
  ranks[i] = rank;`;
    r.dispatch(`topkRank:${x!.dtype}`, () => perElement([{ name: "ranks", type: "u32", write: true }, { name: "xs", type: t }], rankBody, BEFORE(t)), [ranks, x!.data], [total, n], grid(Math.ceil(total / WG)));
    const placeBody = `let n = pu(1u);
  let k = pu(2u);
  let row = i / n;
  let me = i % n;
  let rank = ranks[row * n + me];
  if (rank >= k) { return; }
  var at = rank;
  if (p[3] == 0) {
    at = 0u;
    for (var j = 0u; j < me; j++) { if (ranks[row * n + j] < k) { at++; } }
  }
  vals[row * k + at] = xs[i];
  idx[row * k + at] = i32(me);`;
    const src = () => perElement([{ name: "vals", type: t, write: true }, { name: "idx", type: "i32", write: true }, { name: "xs", type: t }, { name: "ranks", type: "u32" }], placeBody);
    r.dispatch(`topkPlace:${x!.dtype}`, src, [values!.data, indices!.data, x!.data, ranks], [total, n, a.k, a.sorted ? 1 : 0], grid(Math.ceil(total / WG)));
    r.release(ranks.buffer);
  };
}

/** Kernels of the reduction family. */
export function reduceKernels(rt: () => Runtime): Pick<KernelTable<GpuBuffer>, ReduceOp | "argMax" | "argMin" | "cumsum" | "topk"> {
  return {
    ...kernelsFor(REDUCE_OPS, (op) => reduceKernel(rt, op)),
    ...kernelsFor(["argMax", "argMin"] as const, (op) => argKernel(rt, op)),
    cumsum: cumsumKernel(rt),
    topk: topkKernel(rt),
  };
}

