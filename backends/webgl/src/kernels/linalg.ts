/**
 * The linalg family: batched matmul with transposes and broadcast batch dimensions. One
 * thread per output element runs the dot product over k; batch offsets come from the output
 * batch coordinates and each input's broadcast batch strides.
 */
import { broadcastStridesTo, KernelBuilder } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";

/** Linear-algebra kernels. */
export function linalgKernels(ctx: KernelContext) {
  return {
    matmul: ([a, c]: readonly GlTensor[], [y]: readonly GlTensor[], at: { transposeA: boolean; transposeB: boolean }) => {
      const ys = y!.shape;
      const r = ys.length;
      const m = ys[r - 2]!;
      const n = ys[r - 1]!;
      const ra = a!.shape.length;
      const k = at.transposeA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
      const b = new KernelBuilder();
      const A = b.tensor(ctx.in("matmul", a!));
      const B = b.tensor(ctx.in("matmul", c!));
      if (k === 0) {
        ctx.run("matmul", y!, b, "0.0");
        return;
      }
      const batch = ys.slice(0, -2);
      const coords = b.unravel("i", [...batch, m, n], "c");
      const row = coords[r - 2]!;
      const col = coords[r - 1]!;
      const bc = coords.slice(0, -2);
      const aStrides = broadcastStridesTo(a!.shape.slice(0, -2), batch).map((s) => s * m * k);
      const bStrides = broadcastStridesTo(c!.shape.slice(0, -2), batch).map((s) => s * k * n);
      const [asr, asc] = at.transposeA ? [1, m] : [k, 1];
      const [bsr, bsc] = at.transposeB ? [1, k] : [n, 1];
      b.line(`const ao = ${b.offset(bc, aStrides)} + ${row} * ${b.num(asr)};`);
      b.line(`const bo = ${b.offset(bc, bStrides)} + ${col} * ${b.num(bsc)};`);
      const ac = b.num(asc);
      const br = b.num(bsr);
      b.line(`let acc = 0.0;`, `for (let p = 0.0; p < ${b.num(k)}; p++) { acc = acc + ${A}[ao + p * ${ac}] * ${B}[bo + p * ${br}]; }`);
      ctx.run("matmul", y!, b, "acc");
    },
  };
}
