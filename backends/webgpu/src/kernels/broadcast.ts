/**
 * Broadcast reads for generated kernels: how each input of a one-thread-per-element kernel is
 * indexed from the flat output index `i` (contiguous, a single element, or NumPy broadcast
 * strides), the WGSL that computes each input's index and the params it reads. The modes are
 * part of a pipeline key, so one pipeline serves every shape of that class.
 */
import type { DType, KernelTensor } from "@eager/core/backend";
import type { GpuBuffer } from "../runtime.js";

type T = KernelTensor<GpuBuffer>;

/** How an input is indexed: same shape as the output, a single element, or broadcast strides. */
export type Mode = "c" | "s" | "b";

/** The indexing mode of `t` read at the elements of `out`. */
export function modeOf(t: { readonly size: number; readonly shape: readonly number[] }, out: T): Mode {
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
 * WGSL declaring `var idx<k>` for each input from the flat output index `i`. Broadcast inputs
 * read [rank, outShape..., strides of each broadcast input...] from params at slot `base`
 * (see `broadcastParams`).
 */
export function indexing(modes: readonly Mode[], base: number): string {
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

/** The params `indexing` reads: empty when no input broadcasts. */
export function broadcastParams(inputs: readonly { readonly shape: readonly number[] }[], modes: readonly Mode[], out: T): number[] {
  if (!modes.includes("b")) return [];
  const params = [out.shape.length, ...out.shape];
  inputs.forEach((t, k) => {
    if (modes[k] === "b") params.push(...bstrides(t.shape, out.shape));
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
