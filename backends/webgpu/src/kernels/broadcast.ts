/**
 * Broadcast reads for generated kernels: how each input of a one-thread-per-element kernel is
 * indexed from the flat output index `i` (contiguous, a single element, a repeated block such as
 * a bias row, or NumPy broadcast strides), the WGSL that computes each input's index and the
 * params it reads. The modes are part of a pipeline key: one pipeline serves that shape class.
 */
import type { DType, KernelTensor } from "@eager/core/backend";
import type { GpuBuffer } from "../runtime.js";

type T = KernelTensor<GpuBuffer>;

/**
 * How an input is indexed: same shape as the output ("c"), a single element ("s"), one block of
 * the output's dimensions repeated around it ("q": a bias row, a column, a per-batch value; its
 * index is `(i / inner) % size`), or general broadcast strides ("b").
 */
export type Mode = "c" | "s" | "q" | "b";

type Shaped = { readonly size: number; readonly shape: readonly number[] };

/**
 * For an input whose dimensions other than 1 are one run of the output's (aligned from the
 * right), the number of output elements per step of its index; else null.
 */
function blockInner(t: Shaped, out: T): number | null {
  const r = out.shape.length;
  const off = r - t.shape.length;
  const dim = (d: number) => (d < off ? 1 : t.shape[d - off]!);
  let first = -1;
  let last = -1;
  for (let d = 0; d < r; d++)
    if (dim(d) !== 1) {
      if (first < 0) first = d;
      last = d;
    }
  if (first < 0) return null;
  for (let d = first; d <= last; d++) if (dim(d) !== out.shape[d]) return null;
  let inner = 1;
  for (let d = last + 1; d < r; d++) inner *= out.shape[d]!;
  return inner;
}

/** The indexing mode of `t` read at the elements of `out`. */
export function modeOf(t: Shaped, out: T): Mode {
  if (t.size === 1) return "s";
  if (t.shape.length === out.shape.length && t.shape.every((d, i) => d === out.shape[i])) return "c";
  return blockInner(t, out) === null ? "b" : "q";
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
 * WGSL declaring `var idx<k>` for each input from the flat output index `i`. Params from slot
 * `base` (see `broadcastParams`): when an input broadcasts generally, [rank, outShape..., its
 * strides...] for each such input; then [inner, size] for each block input.
 */
export function indexing(modes: readonly Mode[], base: number): string {
  const lines: string[] = [];
  modes.forEach((m, k) => lines.push(`var idx${k} = ${m === "c" ? "i" : "0u"};`));
  const general = modes.filter((m) => m === "b").length;
  if (general > 0) {
    lines.push(`let rank = pu(${base}u);`, "var rem = i;", "for (var d = i32(rank) - 1; d >= 0; d--) {", `  let dim = pu(${base + 1}u + u32(d));`, "  let c = rem % dim;", "  rem = rem / dim;");
    let slot = 1;
    modes.forEach((m, k) => {
      if (m === "b") lines.push(`  idx${k} += c * pu(${base + 1}u + rank * ${slot++}u + u32(d));`);
    });
    lines.push("}");
  }
  const blocks = general > 0 ? `${base + 1}u + rank * ${general + 1}u` : `${base}u`;
  let j = 0;
  modes.forEach((m, k) => {
    if (m !== "q") return;
    lines.push(`idx${k} = (i / pu(${blocks} + ${2 * j}u)) % pu(${blocks} + ${2 * j + 1}u);`);
    j++;
  });
  return lines.join("\n  ");
}

/** The params `indexing` reads: empty when every input is contiguous or a single element. */
export function broadcastParams(inputs: readonly Shaped[], modes: readonly Mode[], out: T): number[] {
  const params: number[] = [];
  if (modes.includes("b")) {
    params.push(out.shape.length, ...out.shape);
    inputs.forEach((t, k) => {
      if (modes[k] === "b") params.push(...bstrides(t.shape, out.shape));
    });
  }
  inputs.forEach((t, k) => {
    if (modes[k] === "q") params.push(blockInner(t, out)!, t.size);
  });
  return params;
}

/**
 * WGSL `let x<k> = <array(k)>[idx<k>];` for inputs `from..` (bool words become WGSL bools), after
 * `indexing` declared the indices.
 */
export function loads(inputs: readonly { readonly dtype: DType }[], array: (k: number) => string, from = 0): string {
  const lines: string[] = [];
  for (let k = from; k < inputs.length; k++) lines.push(`let x${k} = ${array(k)}[idx${k}]${inputs[k]!.dtype === "bool" ? " != 0u" : ""};`);
  return lines.join("\n  ");
}
