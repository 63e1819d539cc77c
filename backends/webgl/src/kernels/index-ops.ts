/**
 * The index family: gather, unsortedSegmentSum, gatherND, scatterND, oneHot. Index tensors
 * are read back once and checked on the host (an out-of-range index is an error, as in the
 * reference, never a read of some other element); the values never leave the GPU. Scatters
 * are gathers from the output's side: each output element loops over the updates.
 */
import { KernelBuilder, strides } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";
import { WebGlIndexError } from "../errors.js";

const prod = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Throw unless every index is in [0, bound(j)). */
function checkIndices(ctx: KernelContext, op: string, idx: GlTensor, bound: (j: number) => number): void {
  const v = ctx.host(op, idx);
  for (let j = 0; j < v.length; j++) {
    const n = bound(j);
    if (!(v[j]! >= 0 && v[j]! < n)) throw new WebGlIndexError(`${op}: indices value ${v[j]} at flat position ${j} of indices [${idx.shape.join(",")}] is not in [0, ${n})`);
  }
}

/** [B, O, I, R] blocks of gather's view: x as [B, O, N, R], indices as [B, I]. */
function blocks(x: readonly number[], idx: readonly number[], axis: number, batchDims: number, k: number): [number, number, number, number] {
  return [prod(x.slice(0, batchDims)), prod(x.slice(batchDims, axis)), prod(idx.slice(batchDims)), prod(x.slice(axis + k))];
}

/** Declare b, o, ii, r from the flat index over [B, O, I, R] (the output of gather, the input of a segment sum). */
function unravelBlocks(b: KernelBuilder, flat: string, B: number, O: number, I: number, R: number): void {
  const c = b.unravel(flat, [B, O, I, R], "q");
  b.line(`const bb = ${c[0]};`, `const oo = ${c[1]};`, `const ii = ${c[2]};`, `const rr = ${c[3]};`);
}

/** Index kernels. */
export function indexKernels(ctx: KernelContext) {
  return {
    gather: ([x, idx]: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number; batchDims: number }) => {
      const n = x!.shape[a.axis]!;
      checkIndices(ctx, "gather", idx!, () => n);
      const [B, O, I, R] = blocks(x!.shape, idx!.shape, a.axis, a.batchDims, 1);
      const b = new KernelBuilder();
      const xs = b.tensor(ctx.in("gather", x!));
      const is = b.tensor(ctx.in("gather", idx!));
      unravelBlocks(b, "i", B, O, I, R);
      b.line(`const at = Math.floor(${is}[bb * ${b.num(I)} + ii] + 0.5);`);
      ctx.run("gather", y!, b, `${xs}[((bb * ${b.num(O)} + oo) * ${b.num(n)} + at) * ${b.num(R)} + rr]`);
    },

    // y[b, o, j, r] = sum over i with ids[b, i] = j of x[b, o, i, r]
    unsortedSegmentSum: ([x, ids]: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number; batchDims: number; numSegments: number }) => {
      const ns = a.numSegments;
      checkIndices(ctx, "unsortedSegmentSum", ids!, () => ns);
      const k = ids!.shape.length - a.batchDims;
      const [B, O, I, R] = blocks(x!.shape, ids!.shape, a.axis, a.batchDims, k);
      const b = new KernelBuilder();
      const xs = b.tensor(ctx.in("unsortedSegmentSum", x!));
      const is = b.tensor(ctx.in("unsortedSegmentSum", ids!));
      if (I === 0) {
        ctx.run("unsortedSegmentSum", y!, b, "0.0");
        return;
      }
      const c = b.unravel("i", [B, O, ns, R], "q");
      const Iu = b.num(I);
      b.line(`let acc = 0.0;`, `for (let t = 0.0; t < ${Iu}; t++) {`);
      b.line(`if (Math.floor(${is}[${c[0]} * ${Iu} + t] + 0.5) == ${c[2]}) { acc = acc + ${xs}[((${c[0]} * ${b.num(O)} + ${c[1]}) * ${Iu} + t) * ${b.num(R)} + ${c[3]}]; }`, `}`);
      ctx.run("unsortedSegmentSum", y!, b, "acc");
    },

    gatherND: ([x, idx]: readonly GlTensor[], [y]: readonly GlTensor[]) => {
      const K = idx!.shape[idx!.shape.length - 1]!;
      checkIndices(ctx, "gatherND", idx!, (j) => x!.shape[j % K]!);
      const R = prod(x!.shape.slice(K));
      const st = strides(x!.shape.slice(0, K));
      const b = new KernelBuilder();
      const xs = b.tensor(ctx.in("gatherND", x!));
      const is = b.tensor(ctx.in("gatherND", idx!));
      const Ru = b.num(R);
      b.line(`const t = Math.floor((i + 0.5) / ${Ru});`, `const r = i - t * ${Ru};`, `let off = 0.0;`);
      for (let j = 0; j < K; j++) b.line(`off = off + Math.floor(${is}[t * ${b.num(K)} + ${b.num(j)}] + 0.5) * ${b.num(st[j]!)};`);
      ctx.run("gatherND", y!, b, `${xs}[off * ${Ru} + r]`);
    },

    // y = zeros(shape) with y[indices[t], r] += updates[t, r]: element e sums the updates aimed at its cell
    scatterND: ([idx, upd]: readonly GlTensor[], [y]: readonly GlTensor[]) => {
      const K = idx!.shape[idx!.shape.length - 1]!;
      checkIndices(ctx, "scatterND", idx!, (j) => y!.shape[j % K]!);
      const R = prod(y!.shape.slice(K));
      const T = K === 0 ? prod(idx!.shape.slice(0, -1)) : idx!.size / K;
      const st = strides(y!.shape.slice(0, K));
      const b = new KernelBuilder();
      const is = b.tensor(ctx.in("scatterND", idx!));
      const us = b.tensor(ctx.in("scatterND", upd!));
      if (T === 0 || upd!.size === 0) {
        ctx.run("scatterND", y!, b, "0.0");
        return;
      }
      const Ru = b.num(R);
      b.line(`const cell = Math.floor((i + 0.5) / ${Ru});`, `const r = i - cell * ${Ru};`, `let acc = 0.0;`);
      b.line(`for (let t = 0.0; t < ${b.num(T)}; t++) {`, `let off = 0.0;`);
      for (let j = 0; j < K; j++) b.line(`off = off + Math.floor(${is}[t * ${b.num(K)} + ${b.num(j)}] + 0.5) * ${b.num(st[j]!)};`);
      b.line(y!.dtype === "bool" ? `if (off == cell && ${us}[t * ${Ru} + r] != 0.0) { acc = 1.0; }` : `if (off == cell) { acc = acc + ${us}[t * ${Ru} + r]; }`, `}`);
      ctx.run("scatterND", y!, b, "acc");
    },

    oneHot: ([idx]: readonly GlTensor[], [y]: readonly GlTensor[], a: { depth: number; onValue: number; offValue: number; dtype: string }) => {
      const bool = a.dtype === "bool";
      const b = new KernelBuilder();
      const is = b.tensor(ctx.in("oneHot", idx!));
      const d = b.num(a.depth);
      const on = b.num(bool ? (a.onValue ? 1 : 0) : a.onValue);
      const off = b.num(bool ? (a.offValue ? 1 : 0) : a.offValue);
      b.line(`const row = Math.floor((i + 0.5) / ${d});`, `const j = i - row * ${d};`);
      ctx.run("oneHot", y!, b, `Math.floor(${is}[row] + 0.5) == j ? ${on} : ${off}`);
    },
  };
}
