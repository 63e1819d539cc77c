/**
 * Printing tensors: `Tensor([[4]], shape=[1,1], dtype=float32)`. Long axes are elided with
 * "..." so printing a large tensor stays short.
 */
import type { DType, TypedArray } from "./dtype.js";

const EDGE = 3;
const FULL_LIMIT = 1000;

function fmt(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return String(Number(v.toPrecision(dtype === "float32" ? 7 : 15)));
}

/** Nested-array text of flat row-major `data` with `shape`. */
export function formatValues(data: TypedArray, shape: readonly number[], dtype: DType): string {
  const summarize = data.length > FULL_LIMIT;
  const rec = (axis: number, offset: number, stride: number): string => {
    if (axis === shape.length) return fmt(data[offset]!, dtype);
    const n = shape[axis]!;
    const inner = stride / n;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) {
        parts.push("...");
        i = n - EDGE - 1;
        continue;
      }
      parts.push(rec(axis + 1, offset + i * inner, inner));
    }
    return `[${parts.join(", ")}]`;
  };
  return rec(0, 0, data.length);
}

export function formatTensor(data: TypedArray, shape: readonly number[], dtype: DType, extra = ""): string {
  return `Tensor(${formatValues(data, shape, dtype)}, shape=[${shape.join(",")}], dtype=${dtype}${extra})`;
}
