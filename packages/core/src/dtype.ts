/**
 * Data types: names, storage arrays, promotion. A bool is stored as one byte (0 or 1).
 * Invariant: every dtype maps to exactly one TypedArray constructor.
 */
import { DTypeError } from "./errors.js";
import { ownKey } from "./own-key.js";

/** Element types a tensor may hold. `float64` exists only where a backend declares it. */
export type DType = "float32" | "int32" | "bool" | "float64";

/** The storage array for each dtype. */
export interface DataTypeMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
  float64: Float64Array;
}
export type TypedArray = Float32Array | Int32Array | Uint8Array | Float64Array;

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

const ARRAY_CTOR = {
  float32: Float32Array,
  int32: Int32Array,
  bool: Uint8Array,
  float64: Float64Array,
} as const;

/** Bytes per element. */
export function bytesPerElement(dtype: DType): number {
  return ARRAY_CTOR[dtype].BYTES_PER_ELEMENT;
}

/** A zero-filled storage array of `size` elements. */
export function allocArray<D extends DType>(dtype: D, size: number): DataTypeMap[D] {
  return new ARRAY_CTOR[dtype](size) as DataTypeMap[D];
}

export function isDType(x: unknown): x is DType {
  return ownKey(ARRAY_CTOR, x);
}

export function assertDType(x: unknown, where: string): DType {
  if (!isDType(x)) throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(", ")}`);
  return x;
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** The dtype a TypedArray stores. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  if (a instanceof Float64Array) return "float64";
  return undefined;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The common dtype of several (bool < int32 < float32 < float64), as NumPy and PyTorch promote. */
export function promoteTypes(...dtypes: DType[]): DType {
  let best = dtypes[0]!;
  for (const d of dtypes) if (RANK[d] > RANK[best]) best = d;
  return best;
}

/** Convert a JS number to the value a storage array of `dtype` will hold. */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case "bool":
      return v !== 0 && !Number.isNaN(v) ? 1 : 0;
    case "int32":
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case "float32":
      return Math.fround(v);
    default:
      return v;
  }
}
