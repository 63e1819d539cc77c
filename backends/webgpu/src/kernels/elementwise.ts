/**
 * The elementwise family, generated from each op's scalar IR expression (lowered by
 * ir-wgsl.ts): any number of inputs with NumPy broadcasting, numeric attrs in params, and
 * fill, and the fused expressions of compiled programs. Each input is read contiguously, as a scalar, or through broadcast strides; the modes
 * are part of the pipeline key, so one pipeline serves every shape of that class.
 */
import { ir, opTable, type DType, type ElementwiseOpName, type Expr, type Kernel, type KernelTensor } from "@eager/core/backend";
import type { GpuBuffer, Runtime } from "../runtime.js";
import { grid } from "../runtime.js";
import { f32Bits, perElement, valueBits, WG, wgslType } from "../wgsl.js";
import { lowerToWgsl, POW_I } from "./ir-wgsl.js";

type T = KernelTensor<GpuBuffer>;

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
 * Params: [n, attrs (f32 bits)..., rank, outShape..., strides of each broadcast input...].
 * Returns the WGSL that computes `idx<k>` for each input; `base` is the rank's slot.
 */
function indexing(modes: readonly Mode[], base: number): string {
  const lines: string[] = [];
  modes.forEach((m, k) => lines.push(`var idx${k} = ${m === "c" ? "i" : "0u"};`));
  if (modes.some((m) => m === "b")) {
    lines.push(`let rank = pu(${base}u);`, "var rem = i;", "for (var d = i32(rank) - 1; d >= 0; d--) {", `  let dim = pu(${base + 1}u + u32(d));`, "  let c = rem % dim;", "  rem = rem / dim;");
    let slot = 1;
    modes.forEach((m, k) => {
      if (m === "b") lines.push(`  idx${k} += c * pu(${base + 1}u + rank * ${slot++}u + u32(d));`);
    });
    lines.push("}");
  }
  return lines.join("\n  ");
}

function broadcastParams(inputs: readonly T[], modes: readonly Mode[], out: T): number[] {
  if (!modes.includes("b")) return [];
  const params = [out.shape.length, ...out.shape];
  inputs.forEach((t, k) => {
    if (modes[k] === "b") params.push(...bstrides(t.shape, out.shape));
  });
  return params;
}

const groups = (n: number) => grid(Math.ceil(n / WG));

/**
 * Dispatch one expression over `inputs` into `y`: `build()` gives the expression, `attrNames`
 * its attrs in order with values `av` (f32 bits); `key` names it in the pipeline cache.
 */
function dispatchExpr(rt: Runtime, key: string, build: () => Expr, attrNames: readonly string[], av: readonly number[], inputs: readonly T[], y: T): void {
  const modes = inputs.map((t) => modeOf(t, y));
  const src = () => {
    const low = lowerToWgsl(build(), (name) => `pf(${1 + attrNames.indexOf(name)}u)`);
    const loads = inputs.map((t, k) => `let x${k} = in${k}[idx${k}]${t.dtype === "bool" ? " != 0u" : ""};`).join("\n  ");
    const store = y.dtype === "bool" ? "select(0u, 1u, v)" : "v";
    return perElement(
      [{ name: "y", type: wgslType(y.dtype), write: true }, ...inputs.map((t, k) => ({ name: `in${k}`, type: wgslType(t.dtype) }))],
      `${indexing(modes, 1 + attrNames.length)}\n  ${loads}\n  ${low.code}\n  y[i] = ${store};`,
      low.usesPowI ? POW_I : "",
    );
  };
  rt.dispatch(`${key}:${modes.join("")}`, src, [y.data, ...inputs.map((t) => t.data)], [y.size, ...av, ...broadcastParams(inputs, modes, y)], groups(y.size));
}

/** The kernel of elementwise op `op`: its IR expression lowered to WGSL per dtypes, static attrs and indexing modes. */
export function irKernel(rt: () => Runtime, op: ElementwiseOpName): Kernel<any, GpuBuffer> {
  const expr = opTable[op].expr as ir.ElementwiseExpr<any>;
  const attrOrder = new Map<string, string[]>();
  return (inputs, [y], attrs) => {
    const statics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs as object)) if (typeof v === "string") statics[k] = v;
    const dtypes = inputs.map((t) => t.dtype);
    const exprKey = `${op}:${dtypes.join(",")}:${JSON.stringify(statics)}`;
    let names = attrOrder.get(exprKey);
    const build = () => ir.instantiate(expr, dtypes, statics);
    if (names === undefined) {
      names = ir.attrNames(build());
      attrOrder.set(exprKey, names);
    }
    const av = names.map((k) => f32Bits((attrs as Record<string, number>)[k]!));
    dispatchExpr(rt(), `ir:${exprKey}`, build, names, av, inputs, y!);
  };
}

/**
 * A compiled program's fused expression (numeric attrs already constants), lowered to one WGSL
 * pipeline per expression, dtypes and indexing modes. False when the expression has no WGSL form
 * (float64, or an operation the lowering lacks), or more inputs than a shader stage may bind
 * storage buffers: core then runs the ops one by one.
 */
export function fusedKernel(rt: () => Runtime): (expr: Expr, inputs: readonly T[], y: T) => boolean {
  const keys = new WeakMap<Expr, string | null>();
  return (expr, inputs, y) => {
    let key = keys.get(expr);
    if (key === undefined) {
      try {
        lowerToWgsl(expr, () => "0.0");
        key = `fused:${inputs.map((t) => t.dtype).join(",")}:${ir.printExpr(expr)}`;
      } catch {
        key = null;
      }
      keys.set(expr, key);
    }
    if (key === null || inputs.some((t) => t.dtype === "float64")) return false;
    const runtime = rt();
    // Each input, the output and the parameter words are storage buffers of one shader stage.
    if (inputs.length + 2 > runtime.device.limits.maxStorageBuffersPerShaderStage) return false;
    dispatchExpr(runtime, key, () => expr, [], [], inputs, y);
    return true;
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
