/**
 * A reader for the IDX format the MNIST files use: two zero bytes, a dtype code, the number
 * of dimensions, each dimension as a big-endian uint32, then big-endian values. Everything
 * is validated (magic, dtype, dimensions, exact length); gzip-compressed files are accepted.
 */
import { gunzipBounded } from "./gunzip-bounded.js";
import { IdxFormatError } from "./idx-error.js";

export { IdxFormatError };

/** Element types IDX declares, by code. */
const DTYPES = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
} as const;

export type IdxDType = (typeof DTYPES)[keyof typeof DTYPES]["name"];
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: dtype, shape and row-major values. */
export interface IdxArray {
  readonly dtype: IdxDType;
  readonly shape: readonly number[];
  readonly data: IdxData;
}

/**
 * Decode IDX bytes. `what` names the source in error messages.
 * @example parseIdx(await readFile("train-labels-idx1-ubyte")).shape // [60000]
 */
export function parseIdx(bytes: Uint8Array, what = "IDX data"): IdxArray {
  if (bytes.length < 4) throw new IdxFormatError(`${what}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new IdxFormatError(`${what}: bad magic number: the first two bytes must be 0, got ${bytes[0]}, ${bytes[1]}`);
  const info = DTYPES[bytes[2] as keyof typeof DTYPES];
  if (!info) throw new IdxFormatError(`${what}: unknown dtype code 0x${bytes[2]!.toString(16).padStart(2, "0")} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const rank = bytes[3]!;
  if (rank === 0) throw new IdxFormatError(`${what}: an IDX array needs at least one dimension`);
  const headerLen = 4 + 4 * rank;
  if (bytes.length < headerLen) throw new IdxFormatError(`${what}: truncated header: ${rank} dimensions need ${headerLen} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    size *= d;
  }
  const expected = headerLen + size * info.bytes;
  if (!Number.isSafeInteger(expected)) throw new IdxFormatError(`${what}: dimensions [${shape.join(", ")}] are too large`);
  if (bytes.length < expected) throw new IdxFormatError(`${what}: truncated: dimensions [${shape.join(", ")}] of ${info.name} need ${expected} bytes, got ${bytes.length}`);
  if (bytes.length > expected) throw new IdxFormatError(`${what}: ${bytes.length - expected} unexpected bytes after the data (dimensions [${shape.join(", ")}] of ${info.name} need ${expected} bytes)`);
  let data: IdxData;
  switch (info.name) {
    case "uint8":
      data = bytes.slice(headerLen, expected);
      break;
    case "int8":
      data = new Int8Array(bytes.slice(headerLen, expected).buffer);
      break;
    case "int16":
      data = Int16Array.from({ length: size }, (_, i) => view.getInt16(headerLen + 2 * i, false));
      break;
    case "int32":
      data = Int32Array.from({ length: size }, (_, i) => view.getInt32(headerLen + 4 * i, false));
      break;
    case "float32":
      data = Float32Array.from({ length: size }, (_, i) => view.getFloat32(headerLen + 4 * i, false));
      break;
    case "float64":
      data = Float64Array.from({ length: size }, (_, i) => view.getFloat64(headerLen + 8 * i, false));
      break;
  }
  return { dtype: info.name, shape, data };
}

/** Encode an array as IDX bytes (big-endian), the inverse of `parseIdx`. */
export function encodeIdx(a: IdxArray): Uint8Array {
  const code = Number(Object.entries(DTYPES).find(([, v]) => v.name === a.dtype)![0]);
  const bytes = DTYPES[code as keyof typeof DTYPES].bytes;
  const headerLen = 4 + 4 * a.shape.length;
  const out = new Uint8Array(headerLen + a.data.length * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = a.shape.length;
  a.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < a.data.length; i++) {
    const at = headerLen + i * bytes;
    const v = a.data[i]!;
    if (a.dtype === "uint8") view.setUint8(at, v);
    else if (a.dtype === "int8") view.setInt8(at, v);
    else if (a.dtype === "int16") view.setInt16(at, v, false);
    else if (a.dtype === "int32") view.setInt32(at, v, false);
    else if (a.dtype === "float32") view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

/**
 * The total length IDX bytes declare in their header, once `prefix` holds the header
 * (undefined before). Throws IdxFormatError for a header that cannot be valid.
 */
export function idxDeclaredLength(prefix: Uint8Array): number | undefined {
  if (prefix.length < 4) return undefined;
  if (prefix[0] !== 0 || prefix[1] !== 0) throw new IdxFormatError(`bad magic number: the first two bytes must be 0, got ${prefix[0]}, ${prefix[1]}`);
  const info = DTYPES[prefix[2] as keyof typeof DTYPES];
  if (!info) throw new IdxFormatError(`unknown dtype code 0x${prefix[2]!.toString(16).padStart(2, "0")}`);
  const rank = prefix[3]!;
  const headerLen = 4 + 4 * rank;
  if (prefix.length < headerLen) return undefined;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let size = info.bytes;
  for (let i = 0; i < rank; i++) size *= view.getUint32(4 + 4 * i, false);
  return headerLen + size;
}

/** Options of `readIdxFile`. */
export interface ReadIdxOptions {
  /** Largest decoded file accepted, in bytes (default 512 MiB; MNIST's largest is 47 MB). */
  readonly maxBytes?: number;
}

/**
 * Read and decode an IDX file (gunzipping it first when it is gzip-compressed). Compressed
 * files are decompressed only up to the length their header declares, and never past
 * `maxBytes`; every error names the file.
 */
export async function readIdxFile(path: string, options: ReadIdxOptions = {}): Promise<IdxArray> {
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const { readFile } = await import("node:fs/promises");
  let bytes: Uint8Array = new Uint8Array(await readFile(path));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzipBounded(bytes, path, { maxBytes, declaredLength: idxDeclaredLength });
  else if (bytes.length > maxBytes) throw new IdxFormatError(`${path}: ${bytes.length} bytes, more than the limit of ${maxBytes}`);
  return parseIdx(bytes, path);
}
