/**
 * The instruction table of the WebAssembly text assembler: each mnemonic's opcode bytes and
 * the kind of immediates it takes (memory ops: their natural alignment). Covers the core
 * numeric, memory, local and control instructions, saturating truncation, bulk memory fill
 * and copy, SIMD128, relaxed SIMD and threads (atomics); anything else is unknown.
 */

/** What follows a mnemonic in the text, and how it is encoded. */
export type Immediate =
  | "none"
  | "block" // label? blocktype (block, loop, if)
  | "label" // one branch label
  | "labels" // br_table: labels, the last the default
  | "func" // a function index
  | "local" // a local index
  | "select" // optional (result t)
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "memarg" // offset= align=
  | "memlane" // memarg then a lane index
  | "lane" // a lane index
  | "v128" // a shape then its lanes
  | "shuffle" // 16 lane indices
  | "zero" // one reserved 0 byte (memory index)
  | "zero2"; // two reserved 0 bytes

/** One instruction: its opcode bytes, immediates, and natural alignment (log2 bytes) for memory ops. */
export interface OpInfo {
  readonly bytes: readonly number[];
  readonly imm: Immediate;
  readonly align: number;
}

/** Unsigned LEB128 of a small number (opcode suffixes). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const table = new Map<string, OpInfo>();
const def = (name: string, bytes: number[], imm: Immediate = "none", align = 0): void => {
  table.set(name, { bytes, imm, align });
};
/** Consecutive opcodes from `first` (names separated by spaces; "-" skips an opcode). */
const run = (prefix: number | null, first: number, names: string, imm: Immediate = "none"): void => {
  names
    .trim()
    .split(/\s+/)
    .forEach((n, i) => {
      if (n !== "-") def(n, prefix === null ? [first + i] : [prefix, ...uleb(first + i)], imm);
    });
};

// Control, locals, constants.
def("unreachable", [0x00]);
def("nop", [0x01]);
def("block", [0x02], "block");
def("loop", [0x03], "block");
def("if", [0x04], "block");
def("br", [0x0c], "label");
def("br_if", [0x0d], "label");
def("br_table", [0x0e], "labels");
def("return", [0x0f]);
def("call", [0x10], "func");
def("drop", [0x1a]);
def("select", [0x1b], "select");
def("local.get", [0x20], "local");
def("local.set", [0x21], "local");
def("local.tee", [0x22], "local");
def("i32.const", [0x41], "i32");
def("i64.const", [0x42], "i64");
def("f32.const", [0x43], "f32");
def("f64.const", [0x44], "f64");
def("memory.size", [0x3f], "zero");
def("memory.grow", [0x40], "zero");

// Loads and stores: [name, natural alignment].
const MEM: [string, number][] = [
  ["i32.load", 2], ["i64.load", 3], ["f32.load", 2], ["f64.load", 3],
  ["i32.load8_s", 0], ["i32.load8_u", 0], ["i32.load16_s", 1], ["i32.load16_u", 1],
  ["i64.load8_s", 0], ["i64.load8_u", 0], ["i64.load16_s", 1], ["i64.load16_u", 1], ["i64.load32_s", 2], ["i64.load32_u", 2],
  ["i32.store", 2], ["i64.store", 3], ["f32.store", 2], ["f64.store", 3],
  ["i32.store8", 0], ["i32.store16", 1], ["i64.store8", 0], ["i64.store16", 1], ["i64.store32", 2],
]; // prettier-ignore
MEM.forEach(([n, a], i) => def(n, [0x28 + i], "memarg", a));

run(null, 0x45, "i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u");
run(null, 0x50, "i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u");
run(null, 0x5b, "f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f64.eq f64.ne f64.lt f64.gt f64.le f64.ge");
run(null, 0x67, "i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr");
run(null, 0x79, "i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr");
run(null, 0x8b, "f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign");
run(null, 0x99, "f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign");
run(
  null,
  0xa7,
  `i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s i64.extend_i32_u
   i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s
   f32.convert_i64_u f32.demote_f64 f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
   i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
   i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`,
);
run(0xfc, 0, "i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u");
def("memory.copy", [0xfc, 10], "zero2");
def("memory.fill", [0xfc, 11], "zero");

// SIMD128 (prefix 0xfd).
const SIMD_MEM: [string, number, number][] = [
  ["v128.load", 0, 4], ["v128.load8x8_s", 1, 3], ["v128.load8x8_u", 2, 3], ["v128.load16x4_s", 3, 3], ["v128.load16x4_u", 4, 3],
  ["v128.load32x2_s", 5, 3], ["v128.load32x2_u", 6, 3], ["v128.load8_splat", 7, 0], ["v128.load16_splat", 8, 1],
  ["v128.load32_splat", 9, 2], ["v128.load64_splat", 10, 3], ["v128.store", 11, 4], ["v128.load32_zero", 0x5c, 2], ["v128.load64_zero", 0x5d, 3],
]; // prettier-ignore
for (const [n, code, a] of SIMD_MEM) def(n, [0xfd, ...uleb(code)], "memarg", a);
["8", "16", "32", "64"].forEach((w, i) => {
  def(`v128.load${w}_lane`, [0xfd, 0x54 + i], "memlane", i);
  def(`v128.store${w}_lane`, [0xfd, 0x58 + i], "memlane", i);
});
def("v128.const", [0xfd, 0x0c], "v128");
def("i8x16.shuffle", [0xfd, 0x0d], "shuffle");
run(0xfd, 0x0e, "i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat");
run(
  0xfd,
  0x15,
  `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u i16x8.replace_lane
   i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane f32x4.extract_lane f32x4.replace_lane
   f64x2.extract_lane f64x2.replace_lane`,
  "lane",
);
const cmp = (s: string) => `${s}.eq ${s}.ne ${s}.lt_s ${s}.lt_u ${s}.gt_s ${s}.gt_u ${s}.le_s ${s}.le_u ${s}.ge_s ${s}.ge_u`;
run(0xfd, 0x23, `${cmp("i8x16")} ${cmp("i16x8")} ${cmp("i32x4")}`);
run(0xfd, 0x41, "f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge");
run(0xfd, 0x4d, "v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true");
run(0xfd, 0x5e, "f32x4.demote_f64x2_zero f64x2.promote_low_f32x4");
run(
  0xfd,
  0x60,
  `i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
   f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u
   i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc
   i8x16.avgr_u i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
   i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
   i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
   i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u
   f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u
   i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
   i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - - i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s
   i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - -
   i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
   i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
   i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - - i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s
   i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - -
   i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
   i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
   f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin f32x4.pmax
   f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin f64x2.pmax
   i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
   i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u`,
);
// Relaxed SIMD.
run(
  0xfd,
  0x100,
  `i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u i32x4.relaxed_trunc_f64x2_s_zero
   i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
   i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
   f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max i16x8.relaxed_q15mulr_s
   i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`,
);

// Threads (prefix 0xfe): atomics need their natural alignment.
def("memory.atomic.notify", [0xfe, 0x00], "memarg", 2);
def("memory.atomic.wait32", [0xfe, 0x01], "memarg", 2);
def("memory.atomic.wait64", [0xfe, 0x02], "memarg", 3);
def("atomic.fence", [0xfe, 0x03], "zero");
const ATOMIC_MEM: [string, number][] = [
  ["i32.atomic.load", 2], ["i64.atomic.load", 3], ["i32.atomic.load8_u", 0], ["i32.atomic.load16_u", 1],
  ["i64.atomic.load8_u", 0], ["i64.atomic.load16_u", 1], ["i64.atomic.load32_u", 2],
  ["i32.atomic.store", 2], ["i64.atomic.store", 3], ["i32.atomic.store8", 0], ["i32.atomic.store16", 1],
  ["i64.atomic.store8", 0], ["i64.atomic.store16", 1], ["i64.atomic.store32", 2],
]; // prettier-ignore
ATOMIC_MEM.forEach(([n, a], i) => def(n, [0xfe, 0x10 + i], "memarg", a));
const RMW_WIDTHS: [string, number][] = [["i32.atomic.rmw", 2], ["i64.atomic.rmw", 3], ["i32.atomic.rmw8", 0], ["i32.atomic.rmw16", 1], ["i64.atomic.rmw8", 0], ["i64.atomic.rmw16", 1], ["i64.atomic.rmw32", 2]];
["add", "sub", "and", "or", "xor", "xchg", "cmpxchg"].forEach((op, k) =>
  RMW_WIDTHS.forEach(([w, a], i) => def(`${w}.${op}${w.endsWith("rmw") ? "" : "_u"}`, [0xfe, 0x1e + 7 * k + i], "memarg", a)),
);

/** The instruction table: mnemonic to opcode bytes and immediates. */
export const OPCODES: ReadonlyMap<string, OpInfo> = table;
