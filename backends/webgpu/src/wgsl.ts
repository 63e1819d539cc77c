/**
 * WGSL scaffolding shared by every kernel family: storage types per dtype (bool is u32
 * 0/1), the binding header (params at binding 0, then outputs, then inputs), the flat
 * invocation index over a 1-D or 2-D grid, and scalar helpers (NaN tests, infinities).
 */
import type { DType } from "@eager/core/backend";

/** Threads per workgroup for one-thread-per-element kernels. */
export const WG = 256;

/** The WGSL storage type of a dtype. */
export function wgslType(dtype: DType): "f32" | "i32" | "u32" {
  if (dtype === "float32") return "f32";
  if (dtype === "int32") return "i32";
  if (dtype === "bool") return "u32";
  throw new Error(`webgpu: dtype ${dtype} has no WGSL storage type`);
}

/** One storage binding after the params. */
export interface Binding {
  readonly name: string;
  readonly type: string;
  readonly write?: boolean;
}

/** Scalar helpers available to every kernel (infinities come from a private array: WGSL constants cannot hold them). */
export const HELPERS = /* wgsl */ `
fn is_nan(x: f32) -> bool { let b = bitcast<u32>(x); return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
var<private> INF_BITS: array<u32, 3> = array<u32, 3>(0x7f800000u, 0xff800000u, 0x7fc00000u);
fn pinf() -> f32 { return bitcast<f32>(INF_BITS[0]); }
fn ninf() -> f32 { return bitcast<f32>(INF_BITS[1]); }
fn fnan() -> f32 { return bitcast<f32>(INF_BITS[2]); }
fn pf(k: u32) -> f32 { return bitcast<f32>(p[k]); }
fn pu(k: u32) -> u32 { return u32(p[k]); }
`;

/** The declarations: params `p` (array<i32>) at binding 0, then `bindings` from binding 1. */
export function header(bindings: readonly Binding[]): string {
  const lines = ["@group(0) @binding(0) var<storage, read> p: array<i32>;"];
  bindings.forEach((b, i) => lines.push(`@group(0) @binding(${i + 1}) var<storage, ${b.write ? "read_write" : "read"}> ${b.name}: array<${b.type}>;`));
  return lines.join("\n") + "\n" + HELPERS;
}

/**
 * A one-thread-per-element kernel: `body` runs with `i: u32` in [0, p[0]). `fns` are extra
 * WGSL functions placed before main.
 */
export function perElement(bindings: readonly Binding[], body: string, fns = ""): string {
  return `${header(bindings)}
${fns}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= pu(0u)) { return; }
  ${body}
}
`;
}

/** Float bits as an int32 word, for params. */
export function f32Bits(v: number): number {
  const f = new Float32Array([v]);
  return new Int32Array(f.buffer)[0]!;
}

/** The int32 word that holds `value` stored as `dtype` (float bits, int, or bool 0/1). */
export function valueBits(value: number, dtype: DType): number {
  if (dtype === "float32") return f32Bits(value);
  if (dtype === "bool") return value ? 1 : 0;
  return value | 0;
}

/** Row-major strides and element counts: core's helpers (`strides` is core's `stridesOf`). */
export { stridesOf as strides, sizeOf } from "@eager/core/backend";
