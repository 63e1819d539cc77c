/**
 * The one loop helper the typed-array kernels share: the flat offsets of a strided view, in
 * row-major order. Broadcasting, transposes, windows, padding and batch matrices are all
 * such a view, so each kernel is a few lines over these offsets. Clarity over speed.
 */
import { sizeOf, stridesOf } from "@eager/core/backend";

/** `base + sum_d i_d * steps[d]` for every index `i` of `shape`, row-major. */
export function offsets(shape: readonly number[], steps: readonly number[], base = 0): Int32Array {
  let cur = Int32Array.of(base);
  for (let d = shape.length - 1; d >= 0; d--) {
    const next = new Int32Array(cur.length * shape[d]!);
    for (let j = 0; j < shape[d]!; j++) for (let k = 0; k < cur.length; k++) next[j * cur.length + k] = cur[k]! + j * steps[d]!;
    cur = next;
  }
  return sizeOf(shape) === 0 ? new Int32Array(0) : cur;
}

/** Offsets of a window of `shape` at `begin` with per-axis `stride` inside a row-major array of `outer`. */
export function windowOffsets(outer: readonly number[], shape: readonly number[], begin: readonly number[], stride: readonly number[]): Int32Array {
  const st = stridesOf(outer);
  return offsets(shape, st.map((s, d) => s * stride[d]!), begin.reduce((b, v, d) => b + v * st[d]!, 0));
}
