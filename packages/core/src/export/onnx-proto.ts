/**
 * The ONNX messages the exporter writes (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto), typed, with their field numbers from onnx.proto. Tensors are
 * written as raw little-endian data inside the model (no external data, so models stay under 2 GB).
 */
import { ProtoWriter } from "./protobuf.js";

/** ONNX TensorProto.DataType values used here. */
export const ONNX_TYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
export type OnnxDType = keyof typeof ONNX_TYPE;

/** A tensor value (initializer or attribute). */
export interface OnnxTensor {
  readonly name?: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  /** Little-endian element bytes. */
  readonly raw: Uint8Array;
}
/** An attribute value: int, float, string, ints, floats or tensor. */
export type OnnxAttr = { i: number | bigint } | { f: number } | { s: string } | { ints: readonly (number | bigint)[] } | { floats: readonly number[] } | { t: OnnxTensor };
export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
}
/** A graph input or output: a name, an element type and dims (a string dim is symbolic). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly (number | string)[];
}
export interface OnnxModel {
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter().packed(1, t.dims).int(2, ONNX_TYPE[t.dtype]);
  if (t.name !== undefined) w.string(8, t.name);
  return w.bytes(9, t.raw);
}
function attrProto(name: string, a: OnnxAttr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ("f" in a) return w.float(2, a.f).int(20, 1);
  if ("i" in a) return w.int(3, a.i).int(20, 2);
  if ("s" in a) return w.string(4, a.s).int(20, 3);
  if ("t" in a) return w.message(5, tensorProto(a.t)).int(20, 4);
  if ("floats" in a) {
    for (const f of a.floats) w.float(7, f);
    return w.int(20, 6);
  }
  return w.packed(8, a.ints).int(20, 7);
}
function nodeProto(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs ?? {})) w.message(5, attrProto(k, a));
  return w;
}
function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === "string" ? new ProtoWriter().string(2, d) : new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, ONNX_TYPE[v.dtype]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Encode a model as ONNX ModelProto bytes. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.nodes) g.message(1, nodeProto(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensorProto(t));
  for (const i of m.inputs) g.message(11, valueInfo(i));
  for (const o of m.outputs) g.message(12, valueInfo(o));
  return new ProtoWriter()
    .int(1, m.irVersion)
    .string(2, m.producer)
    .message(7, g)
    .message(8, new ProtoWriter().string(1, "").int(2, m.opset))
    .finish();
}
