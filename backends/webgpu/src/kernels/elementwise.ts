/**
 * The elementwise family, generated from the expression map: unary ops (with float attrs in
 * params), binary ops and where with NumPy broadcasting, cast and fill. Each input is read
 * contiguously, as a scalar, or through broadcast strides; the mode is part of the pipeline
 * key, so one pipeline serves every shape of that class.
 */
import type { DType, Kernel, KernelTensor } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { grid, } from "../runtime.js";
import { f32Bits, perElement, valueBits, WG, wgslType } from "../wgsl.js";
import { BINARY, SCALAR_FUNCTIONS, UNARY, type ScalarExpr } from "./expressions.js";

type T = KernelTensor<GpuBuffer>;

/** The expression for storage kind of `dtype`, or an error naming the op. */
function pick(op: string, e: ScalarExpr, dtype: DType): string {
  const k = dtype === "float32" ? e.f : dtype === "int32" ? e.i : dtype === "bool" ? e.u : undefined;
  if (k === undefined) throw new Error(`webgpu: ${op} has no ${dtype} kernel`);
  return k;
}

/** How an input is indexed: same shape as the output, a single element, or broadcast strides. */
type Mode = "c" | "s" | "b";

function modeOf(t: T, out: T): Mode {
  if (t.size === 1) return "s";
  if (t.shape.length === out.shape.length && t.shape.every((d, i) => d === out.shape[i])) return "c";
  return "b";
}

/** Broadcast strides of `shape` against `out` (0 along broadcast axes). */
function bstrides(shape: readonly number[], out: readonly number[]): number[] {
  const r = out.length;
  const st = new Array<number>(r).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const od = d + r - shape.length;
    st[od] = shape[d] === 1 ? 0 : acc;
    acc *= shape[d]!;
  }
  return st;
}

/**
 * Params: [n, rank, outShape..., strides of each broadcast input...]. Returns the WGSL that
 * computes `idx<k>` for each input.
 */
function indexing(modes: readonly Mode[]): string {
  const lines: string[] = [];
  modes.forEach((m, k) => lines.push(`var idx${k} = ${m === "c" ? "i" : "0u"};`));
  if (modes.some((m) => m === "b")) {
    lines.push("let rank = pu(1u);", "var rem = i;", "for (var d = i32(rank) - 1; d >= 0; d--) {", "  let dim = pu(2u + u32(d));", "  let c = rem % dim;", "  rem = rem / dim;");
    let slot = 1;
    modes.forEach((m, k) => {
      if (m === "b") lines.push(`  idx${k} += c * pu(2u + rank * ${slot++}u + u32(d));`);
    });
    lines.push("}");
  }
  return lines.join("\n  ");
}

function broadcastParams(inputs: readonly T[], modes: readonly Mode[], out: T): number[] {
  const params = [out.size, out.shape.length, ...out.shape];
  inputs.forEach((t, k) => {
    if (modes[k] === "b") params.push(...bstrides(t.shape, out.shape));
  });
  return params;
}

const groups = (n: number) => grid(Math.ceil(n / WG));

/** A unary kernel from the expression map; `attrParams` gives the float attrs (p[1], p[2], ...). */
export function unaryKernel<A>(rt: () => Runtime, op: keyof typeof UNARY, attrParams?: (a: A) => number[]): Kernel<A, GpuBuffer> {
  const e: ScalarExpr = UNARY[op];
  return ([x], [y], attrs) => {
    const xt = wgslType(x!.dtype);
    const yt = wgslType(y!.dtype);
    const expr = pick(op, e, x!.dtype);
    const key = `unary:${op}:${x!.dtype}`;
    const src = () => perElement([{ name: "y", type: yt, write: true }, { name: "xs", type: xt }], `let x = xs[i];\n  y[i] = ${expr};`, SCALAR_FUNCTIONS);
    const extra = attrParams ? attrParams(attrs).map(f32Bits) : [];
    rt().dispatch(key, src, [y!.data, x!.data], [y!.size, ...extra], groups(y!.size));
  };
}

/** A binary kernel with broadcasting from the expression map. */
export function binaryKernel(rt: () => Runtime, op: keyof typeof BINARY): Kernel<Record<string, never>, GpuBuffer> {
  const e: ScalarExpr = BINARY[op];
  return ([a, b], [y]) => {
    const modes = [modeOf(a!, y!), modeOf(b!, y!)];
    const expr = pick(op, e, a!.dtype);
    const at = wgslType(a!.dtype);
    const key = `binary:${op}:${a!.dtype}:${modes.join("")}`;
    const src = () =>
      perElement(
        [{ name: "y", type: wgslType(y!.dtype), write: true }, { name: "as_", type: at }, { name: "bs_", type: at }],
        `${indexing(modes)}\n  let a = as_[idx0];\n  let b = bs_[idx1];\n  y[i] = ${expr};`,
        SCALAR_FUNCTIONS,
      );
    rt().dispatch(key, src, [y!.data, a!.data, b!.data], broadcastParams([a!, b!], modes, y!), groups(y!.size));
  };
}

/** where(cond, a, b) with broadcasting of all three. */
export function whereKernel(rt: () => Runtime): Kernel<Record<string, never>, GpuBuffer> {
  return ([c, a, b], [y]) => {
    const modes = [modeOf(c!, y!), modeOf(a!, y!), modeOf(b!, y!)];
    const t = wgslType(y!.dtype);
    const key = `where:${t}:${modes.join("")}`;
    const src = () =>
      perElement(
        [{ name: "y", type: t, write: true }, { name: "cs", type: "u32" }, { name: "as_", type: t }, { name: "bs_", type: t }],
        `${indexing(modes)}\n  y[i] = select(bs_[idx2], as_[idx1], cs[idx0] != 0u);`,
      );
    rt().dispatch(key, src, [y!.data, c!.data, a!.data, b!.data], broadcastParams([c!, a!, b!], modes, y!), groups(y!.size));
  };
}

/** The WGSL conversion of `x` from one storage type to another, with the reference's rules. */
function castExpr(from: DType, to: DType): string {
  if (from === to) return "x";
  if (to === "float32") return "f32(x)";
  if (to === "int32") return from === "float32" ? "select(0, i32(trunc(x)), is_finite(x))" : "i32(x)";
  return from === "float32" ? "select(0u, 1u, x != 0.0 && !is_nan(x))" : "select(0u, 1u, x != 0)";
}

/** cast between float32, int32 and bool. */
export function castKernel(rt: () => Runtime): Kernel<{ dtype: DType }, GpuBuffer> {
  return ([x], [y]) => {
    const key = `cast:${x!.dtype}:${y!.dtype}`;
    const src = () =>
      perElement([{ name: "y", type: wgslType(y!.dtype), write: true }, { name: "xs", type: wgslType(x!.dtype) }], `let x = xs[i];\n  y[i] = ${castExpr(x!.dtype, y!.dtype)};`);
    rt().dispatch(key, src, [y!.data, x!.data], [y!.size], groups(y!.size));
  };
}

/** Fill a buffer of `n` 32-bit words with the word `bits` (any dtype: the bits are the value). */
export function fillWords(rt: Runtime, y: GpuBuffer, n: number, bits: number): void {
  const src = () => perElement([{ name: "y", type: "i32", write: true }], "y[i] = p[1];");
  rt.dispatch("fill", src, [y], [n, bits], groups(n));
}

/** fill(shape, dtype, value). */
export function fillKernel(rt: () => Runtime): Kernel<{ shape: readonly number[]; dtype: DType; value: number }, GpuBuffer> {
  return (_, [y], a) => fillWords(rt(), y!.data, y!.size, valueBits(a.value, y!.dtype));
}
