/**
 * WebAssembly type names per dtype for the kernel generators. Only the dtypes with SIMD
 * kernels appear here; everything else runs the reference kernels.
 */

/** A dtype that has generated wasm kernels. */
export type WasmDType = "f32" | "f64" | "i32";

/** Vector shape, scalar type and element size of a wasm dtype. */
export interface LaneInfo {
  readonly v: string;
  readonly s: string;
  readonly lanes: number;
  readonly size: number;
  readonly shift: number;
}

export const LANES: Record<WasmDType, LaneInfo> = {
  f32: { v: "f32x4", s: "f32", lanes: 4, size: 4, shift: 2 },
  f64: { v: "f64x2", s: "f64", lanes: 2, size: 8, shift: 3 },
  i32: { v: "i32x4", s: "i32", lanes: 4, size: 4, shift: 2 },
};

/** The wasm dtype for a core dtype, or null when it has no wasm kernels. */
export function wasmDType(dtype: string): WasmDType | null {
  return dtype === "float32" ? "f32" : dtype === "float64" ? "f64" : dtype === "int32" ? "i32" : null;
}
