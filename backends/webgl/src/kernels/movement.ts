/**
 * The movement family: every output element reads one input element (or a constant). One
 * template, "strided read": unravel the output index, map coordinates to an input offset with
 * per-axis steps; windows that can miss (pad, stridedSliceGrad, concat) test each axis first.
 * reshape shares the input's texture: values are immutable, so no copy is needed.
 */
import { broadcastStridesTo, KernelBuilder, strides } from "../codegen.js";
import type { GlTensor, KernelContext } from "../context.js";

/** out[c] = x[base + sum c_d * steps_d]. */
function stridedRead(ctx: KernelContext, op: string, x: GlTensor, out: GlTensor, base: number, steps: readonly number[]): void {
  const b = new KernelBuilder();
  const xs = b.tensor(ctx.in(op, x));
  const c = b.unravel("i", out.shape, "c");
  ctx.run(op, out, b, `${xs}[${b.offset(c, steps, base)}]`);
}

/** Movement kernels. */
export function movementKernels(ctx: KernelContext) {
  return {
    reshape: ([x]: readonly GlTensor[], [y]: readonly GlTensor[]) => ctx.alias(y!, x!),

    broadcastTo: ([x]: readonly GlTensor[], [y]: readonly GlTensor[]) => stridedRead(ctx, "broadcastTo", x!, y!, 0, broadcastStridesTo(x!.shape, y!.shape)),

    transpose: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { perm: readonly number[] }) => {
      const st = strides(x!.shape);
      stridedRead(ctx, "transpose", x!, y!, 0, a.perm.map((p) => st[p]!));
    },

    stridedSlice: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { begin: readonly number[]; strides: readonly number[] }) => {
      const st = strides(x!.shape);
      const base = a.begin.reduce((s, v, d) => s + v * st[d]!, 0);
      stridedRead(ctx, "stridedSlice", x!, y!, base, st.map((s, d) => s * a.strides[d]!));
    },

    // y = zeros(shape) with y[begin + j * strides] = dy[j]: axis d hits when (c_d - begin_d) / stride_d is a whole j in [0, n_d)
    stridedSliceGrad: ([dy]: readonly GlTensor[], [y]: readonly GlTensor[], a: { begin: readonly number[]; strides: readonly number[] }) => {
      const b = new KernelBuilder();
      const src = b.tensor(ctx.in("stridedSliceGrad", dy!));
      const c = b.unravel("i", y!.shape, "c");
      const dst = strides(dy!.shape);
      const hits: string[] = [];
      const terms: string[] = [];
      c.forEach((cd, d) => {
        const s = a.strides[d]!;
        b.line(`const j${d} = (${cd} - ${b.num(a.begin[d]!)}) / ${b.num(s)};`);
        b.line(`const k${d} = Math.floor(j${d} + 0.5);`);
        hits.push(`Math.abs(j${d} - k${d}) < ${1 / (2 * Math.abs(s) + 1)} && k${d} >= 0.0 && k${d} < ${b.num(dy!.shape[d]!)}`);
        terms.push(`k${d} * ${b.num(dst[d]!)}`);
      });
      if (dy!.size === 0 || hits.length === 0) {
        ctx.run("stridedSliceGrad", y!, b, dy!.size === 0 ? "0.0" : `${src}[0.0]`);
        return;
      }
      b.line(`let v = 0.0;`, `if (${hits.map((h) => `(${h})`).join(" && ")}) { v = ${src}[${terms.join(" + ")}]; }`);
      ctx.run("stridedSliceGrad", y!, b, "v");
    },

    pad: ([x]: readonly GlTensor[], [y]: readonly GlTensor[], a: { paddings: readonly (readonly [number, number])[]; constantValue: number }) => {
      const b = new KernelBuilder();
      const src = b.tensor(ctx.in("pad", x!));
      const fillValue = b.num(y!.dtype === "bool" ? (a.constantValue ? 1 : 0) : a.constantValue);
      if (x!.size === 0) {
        ctx.run("pad", y!, b, `${fillValue} + i * 0.0`);
        return;
      }
      const c = b.unravel("i", y!.shape, "c");
      const st = strides(x!.shape);
      const inside: string[] = [];
      const terms: string[] = [];
      c.forEach((cd, d) => {
        b.line(`const p${d} = ${cd} - ${b.num(a.paddings[d]![0])};`);
        inside.push(`p${d} >= 0.0 && p${d} < ${b.num(x!.shape[d]!)}`);
        terms.push(`p${d} * ${b.num(st[d]!)}`);
      });
      b.line(`let v = ${fillValue};`);
      if (inside.length) b.line(`if (${inside.map((h) => `(${h})`).join(" && ")}) { v = ${src}[${terms.join(" + ")}]; }`);
      else b.line(`v = ${src}[0.0];`);
      ctx.run("pad", y!, b, "v");
    },

    concat: (xs: readonly GlTensor[], [y]: readonly GlTensor[], a: { axis: number }) => concat(ctx, xs, y!, a.axis),
  };
}

/** Inputs per concat kernel; more are joined in groups (concat of concats along one axis). */
const CONCAT_GROUP = 8;

function concat(ctx: KernelContext, xs: readonly GlTensor[], y: GlTensor, axis: number): void {
  const parts = xs.filter((t) => t.size > 0);
  if (parts.length > CONCAT_GROUP) {
    const groups: GlTensor[] = [];
    for (let g = 0; g < parts.length; g += CONCAT_GROUP) {
      const members = parts.slice(g, g + CONCAT_GROUP);
      const shape = [...y.shape];
      shape[axis] = members.reduce((s, t) => s + t.shape[axis]!, 0);
      const size = shape.reduce((p, d) => p * d, 1);
      const part: GlTensor = { data: { value: null, dtype: y.dtype, size }, shape, dtype: y.dtype, size };
      concat(ctx, members, part, axis);
      groups.push(part);
    }
    concat(ctx, groups, y, axis);
    for (const g of groups) ctx.rt.release(g.data.value!);
    return;
  }
  const b = new KernelBuilder();
  const names = parts.map((t) => b.tensor(ctx.in("concat", t)));
  const c = b.unravel("i", y.shape, "c");
  b.line(`let v = 0.0;`);
  let start = 0;
  parts.forEach((t, k) => {
    const st = strides(t.shape);
    const local = c.map((cd, d) => (d === axis ? `(${cd} - ${b.num(start)})` : cd));
    const at = local.map((l, d) => (t.shape[d] === 1 ? null : `${l} * ${b.num(st[d]!)}`)).filter((s): s is string => s !== null);
    const read = `v = ${names[k]}[${at.length ? at.join(" + ") : "0.0"}];`;
    b.line(k === 0 ? `if (${c[axis]} < ${b.num(start + t.shape[axis]!)}) { ${read} }` : `else if (${c[axis]} < ${b.num(start + t.shape[axis]!)}) { ${read} }`);
    start += t.shape[axis]!;
  });
  ctx.run("concat", y, b, "v");
}
