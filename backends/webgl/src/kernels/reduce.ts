/**
 * The reduce and scan families: one thread per output element loops over the elements it
 * reduces (sums in blocks of 256 to keep float32 error near sqrt(n) ulps). Reductions over
 * no elements are constants written from the host (-Infinity, NaN and int32 extremes have no
 * GLSL literal). argMax/argMin keep the first extreme; topk ranks by value, then index.
 */
import { kernelsFor, type OpName } from "@eager/core/backend";
import { KernelBuilder, strides } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";

interface ReduceSpec {
  readonly init: string;
  /** Fold `x` into `acc`. */
  readonly step: string;
  /** The result from `acc` and the count `n`. */
  readonly finish?: string;
  /** Sum-like: accumulate in blocks. */
  readonly blocked?: boolean;
  /** Value over no elements, by dtype. */
  readonly empty: (dtype: string) => number;
}

const SPECS = {
  sum: { init: "0.0", step: "acc = acc + x;", blocked: true, empty: () => 0 },
  mean: { init: "0.0", step: "acc = acc + x;", blocked: true, finish: "acc / n", empty: () => NaN },
  prod: { init: "1.0", step: "acc = acc * x;", empty: () => 1 },
  max: { init: "x0", step: "if (x > acc || x != x) { acc = x; }", empty: (d) => (d === "int32" ? -2147483648 : d === "bool" ? 0 : -Infinity) },
  min: { init: "x0", step: "if (x < acc || x != x) { acc = x; }", empty: (d) => (d === "int32" ? 2147483647 : d === "bool" ? 1 : Infinity) },
  all: { init: "1.0", step: "if (x == 0.0) { acc = 0.0; }", empty: () => 1 },
  any: { init: "0.0", step: "if (x != 0.0) { acc = 1.0; }", empty: () => 0 },
} satisfies { readonly [K in OpName]?: ReduceSpec };

/** Reduce `x` over `axes` into `y` with `spec`. */
function reduce(ctx: KernelContext, op: string, x: GlTensor, y: GlTensor, axes: readonly number[], spec: ReduceSpec): void {
  const redShape = axes.map((a) => x.shape[a]!);
  const count = redShape.reduce((p, d) => p * d, 1);
  if (count === 0) {
    ctx.fill(y, new Float32Array(y.size).fill(spec.empty(y.dtype)));
    return;
  }
  const st = strides(x.shape);
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const b = new KernelBuilder();
  const xs = b.tensor(ctx.in(op, x));
  const oc = b.unravel("i", kept.map((d) => x.shape[d]!), "o");
  b.line(`const base = ${b.offset(oc, kept.map((d) => st[d]!))};`);
  const n = b.num(count);
  b.line(`const x0 = ${xs}[base];`, `let acc = ${spec.init};`);
  if (spec.blocked) b.line(`let block = 0.0;`, `let inBlock = 0.0;`);
  b.line(`for (let j = 0.0; j < ${n}; j++) {`);
  const rc = b.unravel("j", redShape, "r");
  b.line(`const x = ${xs}[base + ${b.offset(rc, axes.map((a) => st[a]!))}];`);
  if (spec.blocked) b.line(`block = block + x;`, `inBlock = inBlock + 1.0;`, `if (inBlock > 255.5) { acc = acc + block; block = 0.0; inBlock = 0.0; }`);
  else b.line(spec.step);
  b.line(`}`);
  if (spec.blocked) b.line(`acc = acc + block;`);
  b.line(`const n = ${n};`);
  ctx.run(op, y, b, spec.finish ?? "acc");
}

/** [outer, n, inner] of a scan along `axis` (a scalar is one element along axis 0). */
function bounds(shape: readonly number[], axis: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  const p = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
  return [p(shape.slice(0, axis)), shape[axis]!, p(shape.slice(axis + 1))];
}

/** argMax / argMin along `axis`: the first index holding the extreme. */
function argReduce(ctx: KernelContext, op: string, x: GlTensor, y: GlTensor, axis: number, cmp: ">" | "<"): void {
  const b = new KernelBuilder();
  const xs = b.tensor(ctx.in(op, x));
  if (x.shape.length === 0) {
    ctx.run(op, y, b, `0.0 * ${xs}[0.0]`);
    return;
  }
  const [, n, inner] = bounds(x.shape, axis);
  const iu = b.num(inner);
  b.line(`const o = Math.floor((i + 0.5) / ${iu});`, `const k = i - o * ${iu};`, `const base = o * ${b.num(n)} * ${iu} + k;`);
  b.line(`let best = ${xs}[base];`, `let at = 0.0;`);
  b.line(`for (let j = 1.0; j < ${b.num(n)}; j++) {`, `const v = ${xs}[base + j * ${iu}];`, `if (best == best && (v ${cmp} best || v != v)) { best = v; at = j; }`, `}`);
  ctx.run(op, y, b, "at");
}

/** cumsum: each element sums the elements before it (inclusive or not) along `axis`. */
function cumsum(ctx: KernelContext, x: GlTensor, y: GlTensor, a: { axis: number; exclusive: boolean; reverse: boolean }): void {
  const [, n, inner] = bounds(x.shape, a.axis);
  const b = new KernelBuilder();
  const xs = b.tensor(ctx.in("cumsum", x));
  const iu = b.num(inner);
  const nu = b.num(n);
  b.line(`const o = Math.floor((i + 0.5) / (${nu} * ${iu}));`, `const rest = i - o * ${nu} * ${iu};`, `const s = Math.floor((rest + 0.5) / ${iu});`);
  b.line(`const k = rest - s * ${iu};`, `const base = o * ${nu} * ${iu} + k;`, `let acc = 0.0;`);
  const [from, to] = a.reverse ? (a.exclusive ? ["s + 1.0", nu] : ["s", nu]) : a.exclusive ? ["0.0", "s"] : ["0.0", "s + 1.0"];
  b.line(`for (let j = ${from}; j < ${to}; j++) { acc = acc + ${xs}[base + j * ${iu}]; }`);
  ctx.run("cumsum", y, b, "acc");
}

/**
 * topk over the last axis: element j's rank counts the elements before it in the order
 * (larger value first, lower index first among equals). Sorted output position t holds the
 * element of rank t; unsorted, the t-th (by index) element among ranks < k.
 */
function topk(ctx: KernelContext, x: GlTensor, outs: readonly GlTensor[], a: { k: number; sorted: boolean }): void {
  const n = x.shape[x.shape.length - 1]!;
  for (const [which, out] of outs.entries()) {
    const b = new KernelBuilder();
    const xs = b.tensor(ctx.in("topk", x));
    const ku = b.num(a.k);
    const nu = b.num(n);
    b.line(`const row = Math.floor((i + 0.5) / ${ku});`, `const t = i - row * ${ku};`, `const base = row * ${nu};`);
    b.line(`let found = 0.0;`, `let seen = 0.0;`, `let done = 0.0;`);
    b.line(`for (let j = 0.0; j < ${nu}; j++) {`, `const v = ${xs}[base + j];`, `let rank = 0.0;`);
    b.line(`for (let l = 0.0; l < ${nu}; l++) {`, `const w = ${xs}[base + l];`, `if (w > v || (w == v && l < j)) { rank = rank + 1.0; }`, `}`);
    if (a.sorted) b.line(`if (done < 0.5 && rank == t) { found = j; done = 1.0; }`);
    else b.line(`if (done < 0.5 && rank < ${ku}) { if (seen == t) { found = j; done = 1.0; } seen = seen + 1.0; }`);
    b.line(`}`);
    ctx.run("topk", out, b, which === 0 ? `${xs}[base + found]` : "found");
  }
}

type Kern = (i: readonly GlTensor[], o: readonly GlTensor[], a: { axes: readonly number[] }) => void;

/** Reduce-family and scan kernels. */
export function reduceKernels(ctx: KernelContext) {
  return {
    ...kernelsFor(SPECS, (op): Kern => ([x], [y], a) => reduce(ctx, op, x!, y!, a.axes, SPECS[op])),
    argMax: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number }) => argReduce(ctx, "argMax", x!, y!, a.axis, ">"),
    argMin: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number }) => argReduce(ctx, "argMin", x!, y!, a.axis, "<"),
    cumsum: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number; exclusive: boolean; reverse: boolean }) => cumsum(ctx, x!, y!, a),
    topk: ([x]: readonly GlTensor[], outs: readonly GlTensor[], a: { k: number; sorted: boolean }) => topk(ctx, x!, outs, a),
  };
}
