/**
 * The safetensors format: 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then raw
 * little-endian data. Decoding validates everything (sizes, offsets, overlap, trailing
 * bytes, dtypes, bool values) before returning, and throws CheckpointError otherwise.
 */
import { allocArray, bytesPerElement, type DType, type TypedArray } from "../dtype.js";
import { EagerError } from "../errors.js";
import { ownKey } from "../own-key.js";

/** A checkpoint file or byte buffer is malformed, truncated, or does not fit the objects. */
export class CheckpointError extends EagerError {}

/** One tensor in a safetensors buffer. */
export interface SafetensorEntry {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: TypedArray;
}

const TO_ST: Record<DType, string> = { float32: "F32", int32: "I32", bool: "BOOL", float64: "F64" };
const FROM_ST: Record<string, DType> = { F32: "float32", I32: "int32", BOOL: "bool", F64: "float64" };
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Largest header accepted (bytes), to refuse absurd lengths before allocating. */
const MAX_HEADER = 100 * 1024 * 1024;

function bytesOf(values: TypedArray): Uint8Array {
  const b = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE || values.BYTES_PER_ELEMENT === 1) return b;
  const out = new Uint8Array(b.length);
  const k = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < b.length; i += k) for (let j = 0; j < k; j++) out[i + j] = b[i + k - 1 - j]!;
  return out;
}

/**
 * Encode tensors (in the given order) and string metadata as safetensors bytes.
 * @example encodeSafetensors(new Map([["w", { dtype: "float32", shape: [2], values: new Float32Array([1, 2]) }]]))
 */
export function encodeSafetensors(entries: ReadonlyMap<string, SafetensorEntry>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, e] of entries) {
    if (name === "__metadata__") throw new CheckpointError(`encodeSafetensors: "__metadata__" is reserved`);
    const n = e.values.length * bytesPerElement(e.dtype);
    header[name] = { dtype: TO_ST[e.dtype], shape: [...e.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hbytes = enc.encode(json);
  const pad = (8 - (hbytes.length % 8)) % 8;
  if (pad) hbytes = enc.encode((json += " ".repeat(pad)));
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let at = 8 + hbytes.length;
  for (const e of entries.values()) {
    out.set(bytesOf(e.values), at);
    at += e.values.byteLength;
  }
  return out;
}

const isNat = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/**
 * Decode and fully validate safetensors bytes. Returns the tensors (copies) and metadata.
 * Throws CheckpointError naming the problem: truncated, trailing bytes, bad header, ...
 */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Map<string, SafetensorEntry>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError("safetensors: expected a Uint8Array");
  if (bytes.length < 8) throw new CheckpointError(`safetensors: truncated: ${bytes.length} bytes, less than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getBigUint64(0, true);
  if (hlen > BigInt(MAX_HEADER)) throw new CheckpointError(`safetensors: header length ${hlen} is larger than the ${MAX_HEADER}-byte limit`);
  const n = Number(hlen);
  if (8 + n > bytes.length) throw new CheckpointError(`safetensors: truncated: header says ${n} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new CheckpointError(`safetensors: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new CheckpointError("safetensors: header must be a JSON object");
  const dataLen = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  const parsed: [string, DType, number[], number, number][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CheckpointError("safetensors: __metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== "string") throw new CheckpointError(`safetensors: __metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof r !== "object" || r === null) throw new CheckpointError(`safetensors: entry "${name}" must be an object`);
    const dtype = ownKey(FROM_ST, r.dtype) ? FROM_ST[r.dtype] : undefined;
    if (!dtype) throw new CheckpointError(`safetensors: entry "${name}" has unsupported dtype ${JSON.stringify(r.dtype)} (supported: F32, I32, BOOL, F64)`);
    if (!Array.isArray(r.shape) || !r.shape.every(isNat)) throw new CheckpointError(`safetensors: entry "${name}" has an invalid shape ${JSON.stringify(r.shape)}`);
    const o = r.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !isNat(o[0]) || !isNat(o[1]) || o[1] < o[0])
      throw new CheckpointError(`safetensors: entry "${name}" has invalid data_offsets ${JSON.stringify(o)}`);
    const size = (r.shape as number[]).reduce((a, b) => a * b, 1);
    if (o[1] - o[0] !== size * bytesPerElement(dtype))
      throw new CheckpointError(`safetensors: entry "${name}" holds ${o[1] - o[0]} bytes but ${r.dtype}[${r.shape.join(",")}] needs ${size * bytesPerElement(dtype)}`);
    if (o[1] > dataLen) throw new CheckpointError(`safetensors: truncated: entry "${name}" ends at byte ${o[1]} of the data but only ${dataLen} bytes are present`);
    ranges.push([o[0], o[1], name]);
    parsed.push([name, dtype, r.shape as number[], o[0], o[1]]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let end = 0;
  for (const [b, e, name] of ranges) {
    if (b < end) throw new CheckpointError(`safetensors: entry "${name}" overlaps the entry before it`);
    if (b > end) throw new CheckpointError(`safetensors: a gap of ${b - end} bytes precedes entry "${name}"`);
    end = e;
  }
  if (end !== dataLen) throw new CheckpointError(`safetensors: ${dataLen - end} unexpected bytes after the last tensor (oversized or corrupt)`);
  const tensors = new Map<string, SafetensorEntry>();
  const base = 8 + n;
  for (const [name, dtype, shape, b, e] of parsed) {
    const k = bytesPerElement(dtype);
    const values = allocArray(dtype, (e - b) / k);
    const src = bytes.subarray(base + b, base + e);
    if (LITTLE || k === 1) new Uint8Array(values.buffer).set(src);
    else {
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0; i < values.length; i++)
        values[i] = dtype === "float32" ? dv.getFloat32(i * 4, true) : dtype === "int32" ? dv.getInt32(i * 4, true) : dv.getFloat64(i * 8, true);
    }
    if (dtype === "bool") for (let i = 0; i < values.length; i++) if (values[i]! > 1) throw new CheckpointError(`safetensors: entry "${name}" is BOOL but holds the byte ${values[i]} at ${i}`);
    tensors.set(name, { dtype, shape, values });
  }
  return { tensors, metadata };
}
