/**
 * The run-time WebAssembly text assembler (src/wasm/assembler.ts) against wabt: byte for byte
 * on the prebuilt kernel module, every per-op elementwise kernel (each dtype combination),
 * fused modules of every op's expression and of large random expressions, every entry of the
 * instruction table, number literals where rounding is delicate, and flat-form text.
 */
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { ir, type Expr, type IrDType } from "@eager/core/backend";
import { assemble } from "../src/wasm/assembler.js";
import { OPCODES, type OpInfo } from "../src/wasm/asm/opcodes.js";
import { kernelText } from "../src/wasm/kernel-text.js";
import { elementwiseExports, elementwiseFunc } from "../src/wasm/elementwise-wat.js";
import { fusedModule } from "../src/wasm/fused-module.js";

const wabt = await wabtInit();
const FEATURES = { simd: true, threads: true, relaxed_simd: true, bulk_memory: true };

/** wabt's bytes for `text`. */
function wabtBytes(text: string): Uint8Array {
  const m = wabt.parseWat("test.wat", text, FEATURES);
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

/** Where two byte arrays first differ (-1: equal), for readable failures. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

const expectSame = (text: string) => expect(firstDiff(assemble(text), wabtBytes(text)), text).toBe(-1);
const NATIVE = (op: string): boolean => !ir.EXPANDABLE.includes(op as ir.IrOp);

/** The fused kernel module the cpu backend builds for `expr` over inputs of `dtypes`. */
function fusedModuleText(expr: Expr, dtypes: readonly IrDType[], shared: boolean): string | null {
  const f = elementwiseFunc({ name: "fused", op: "fused", dtypes, statics: {}, expr: ir.expandFloat32(expr, NATIVE), attrs: [] });
  return f === null ? null : fusedModule(f, shared);
}

describe("assembler: byte-identical to wabt", () => {
  for (const shared of [true, false])
    for (const fma of [true, false])
      it(`the prebuilt kernel module (${shared ? "shared" : "unshared"} memory, ${fma ? "relaxed-SIMD FMA" : "SIMD128"})`, () => {
        const text = kernelText(shared, fma);
        const got = assemble(text);
        expect(got.length).toBeGreaterThan(100_000);
        expect(firstDiff(got, wabtBytes(text))).toBe(-1);
      });

  const exports = elementwiseExports();
  it(`every per-op elementwise kernel, each dtype combination (${exports.length} kernels)`, () => {
    let n = 0;
    for (const k of exports) {
      const f = elementwiseFunc(k);
      if (f === null) continue;
      for (const shared of [true, false]) expectSame(fusedModule(f, shared));
      n++;
    }
    expect(n).toBeGreaterThan(130);
  });

  it("the fused module of every op's expression (attrs as constants), shared and unshared memory", () => {
    let n = 0;
    for (const k of exports) {
      const expr = ir.rewrite(k.expr, (e) => (e.op === "attr" ? ir.constant(0.25, "float64") : e));
      for (const shared of [true, false]) {
        const text = fusedModuleText(expr, k.dtypes, shared);
        if (text === null) continue;
        const bytes = assemble(text);
        expect(firstDiff(bytes, wabtBytes(text))).toBe(-1);
        expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThan(260);
  });

  it("fused modules of large random expressions (mixed dtypes, transcendentals, selects, casts)", () => {
    let n = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { expr, dtypes } = randomExpr(seed);
      const text = fusedModuleText(expr, dtypes, seed % 2 === 0);
      if (text === null) continue;
      const bytes = assemble(text);
      expect(firstDiff(bytes, wabtBytes(text))).toBe(-1);
      expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
      n++;
    }
    expect(n).toBeGreaterThan(25);
  });

  it("every instruction of the table, with sample immediates", () => {
    expect(OPCODES.size).toBeGreaterThan(400);
    for (const [name, info] of OPCODES) for (const body of samples(name, info)) expectSame(`(module (memory 1 2 shared) (func $f (param $x i32) (local $v v128)\n${body}))`);
  });

  it("number literals where rounding is delicate, and integer ranges", () => {
    const f32 = [
      "1.0000000596046448", // float64 lands on a float32 midpoint; the decimal is above it
      "1.000000059604644775390625", "1.0000000596046447", "-1.0000000596046448", "3.4028234663852886e38", "3.4028235e38",
      "1e-45", "7.006492321624085e-46", "7.006492321624086e-46", "1.401298464324817e-45", "1.1754942e-38", "0.1", "-0", "+1.5", "1.",
      "1_000.000_1", "1E-10", "6.5e+3", "0x1p-149", "0x1p-150", "0x1.8p-149", "0x1.000001p0", "0x1.0000018p0", "0x1.fffffep127", "0xA.Bp-2", "0x1_0.8",
      "inf", "-inf", "+inf", "nan", "-nan", "nan:0x1", "-nan:0x7fffff", "nan:0x200000",
    ]; // prettier-ignore
    const f64 = [
      "2.2250738585072011e-308", "4.9406564584124654e-324", "2.4703282292062328e-324", "2.4703282292062327e-324", "1.7976931348623157e308",
      "0.1", "-0", "123456789012345678901234567890", "1e-400", "0x1.fffffffffffffp1023", "0x1p-1074", "0x1p-1075", "0x1.8p-1074", "0x1.00000000000008p0",
      "nan", "-nan", "nan:0x8000000000000", "nan:0xfffffffffffff", "inf", "-inf",
    ]; // prettier-ignore
    const ints = ["0", "-1", "4294967295", "-2147483648", "2147483647", "0x7fffffff", "0xffff_ffff", "-0x80000000", "1_000_000", "+7"];
    const i64s = ["-9223372036854775808", "18446744073709551615", "0x8000000000000000", "-1", "0x7fff_ffff_ffff_ffff", "4294967296"];
    const body = [
      ...f32.map((v) => `(drop (f32.const ${v}))`),
      ...f64.map((v) => `(drop (f64.const ${v}))`),
      ...ints.map((v) => `(drop (i32.const ${v}))`),
      ...i64s.map((v) => `(drop (i64.const ${v}))`),
      "(drop (v128.const i8x16 -128 255 0 1 2 3 4 5 6 7 8 9 10 11 12 -1))",
      "(drop (v128.const i16x8 -32768 65535 0 1 2 3 4 -5))",
      "(drop (v128.const i32x4 0x80000000 -1 4294967295 0x7fffffff))",
      "(drop (v128.const i64x2 0x8000000000000000 -2))",
      `(drop (v128.const f32x4 ${f32.slice(0, 4).join(" ")}))`,
      "(drop (v128.const f64x2 -0 nan:0x1))",
    ];
    expectSame(`(module (func\n${body.join("\n")}))`);
  });

  it("flat and folded forms, labels, explicit types, imports, exports and comments", () => {
    expectSame(`(module $m
  ;; a line comment
  (type $t (func (param i32) (result i32)))
  (type (func (param i32) (result i32))) (; a repeated type (; nested ;) is its own entry ;)
  (import "env" "log" (func $log (param f64)))
  (import "env" "id" (func (type $t)))
  (memory $mem (export "mem") 1 4)
  (func $flat (export "flat") (export "caf\\u{e9} \\"q\\" \\41\\t") (type $t) (param $n i32) (result i32) (local $i i32) (local f32 f32) (local $v v128)
    block $out (result i32)
      loop $again
        local.get $i
        local.get 0
        i32.ge_s
        if $done
          local.get $i
          br $out
        else
          local.get 1
          i32.const 1
          i32.add
          local.set $i
        end $done
        local.get $i
        br_table $again $out $again
      end $again
      i32.const 7
    end $out)
  (func (param i32 i64) (result f32) (local $v v128)
    (select (result f32) (f32.const 1) (f32.const 2) (local.get 0))
    (if (result f32) (local.get 0) (then (f32.const 3)) (else (call 0 (f64.const 1.5)) (f32.const 4)))
    (f32.add)
    (block (br_if 0 (i32.eqz (local.get 0))) (i32.store offset=0x10 align=2 (i32.const 0) (i32.load8_u offset=3 align=1 (i32.const 8))))
    (memory.copy (i32.const 0) (i32.const 4) (i32.const 4))
    (drop (memory.grow (memory.size)))
    (atomic.fence)
    (v128.store32_lane offset=4 align=4 3 (i32.const 0) (i8x16.shuffle 0 1 2 3 16 17 18 19 0 0 0 0 31 30 29 28 (local.get $v) (local.get $v)))
    (return (f32.demote_f64 (f64.const 0x1.8p1))))
  (func $unused (call $log (f64.const -inf)) nop unreachable)
  (export "flat2" (func $flat))
  (export "id" (func 1)))`);
  });
});

/** Sample flat instruction texts for one table entry. */
function samples(name: string, info: OpInfo): string[] {
  switch (info.imm) {
    case "none":
    case "zero":
    case "zero2":
      return [name];
    case "block":
      return [`${name}\nend`, `${name} $l (result i32)\n${name === "if" ? "else\n" : ""}end $l`];
    case "label":
      return [`block $l\n${name} $l\n${name} 0\nend`];
    case "labels":
      return [`block $a\nblock $b\n${name} $a $b 0\nend\nend`];
    case "func":
      return [`${name} $f`, `${name} 0`];
    case "local":
      return [`${name} $x`, `${name} 1`];
    case "select":
      return [name, `${name} (result v128)`];
    case "i32":
      return [`${name} -5`, `${name} 0xffffffff`];
    case "i64":
      return [`${name} -9223372036854775808`];
    case "f32":
    case "f64":
      return [`${name} -0x1.8p-3`, `${name} 6.02e23`];
    case "memarg":
      return name.includes("atomic") || name.startsWith("memory.") ? [name, `${name} offset=8`] : [name, `${name} offset=8 align=1`, `${name} offset=0x10`];
    case "memlane":
      return [`${name} 1`, `${name} offset=4 align=1 0`];
    case "lane":
      return [`${name} 1`];
    case "v128":
      return [`${name} i32x4 1 -2 3 0xffffffff`, `${name} f64x2 -0 inf`, `${name} i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -128`];
    case "shuffle":
      return [`${name} 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31`];
  }
}

/** A seeded random expression of 20-60 nodes over 1-4 inputs of mixed dtypes. */
function randomExpr(seed: number): { expr: Expr; dtypes: IrDType[] } {
  let s = seed * 2654435761;
  const rnd = (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x6d2b79f5) | 0;
    return ((s >>> 0) % 1_000_003) % n;
  };
  const pool: IrDType[] = seed % 5 === 0 ? ["float64", "float64", "int32", "bool"] : ["float32", "float32", "int32", "bool"];
  const dtypes = Array.from({ length: 1 + rnd(4) }, () => pool[rnd(pool.length)]!);
  const float = pool[0]!;
  const vals: Expr[] = dtypes.map((d, i) => ir.input(i, d));
  const asFloat = (e: Expr) => ir.cast(e, float);
  const unary = [ir.exp, ir.log, ir.tanh, ir.sin, ir.cos, ir.erf, ir.atan, ir.sqrt, ir.expm1, ir.log1p, ir.neg, ir.abs, ir.floor, ir.round];
  const binary = [ir.add, ir.sub, ir.mul, ir.div, ir.min, ir.max, ir.atan2, ir.copysign];
  const count = 20 + rnd(40);
  for (let k = 0; k < count; k++) {
    const a = vals[rnd(vals.length)]!;
    const b = vals[rnd(vals.length)]!;
    const c = vals[rnd(vals.length)]!;
    const kind = rnd(10);
    let e: Expr;
    if (kind < 3) e = unary[rnd(unary.length)]!(asFloat(a));
    else if (kind < 6) e = binary[rnd(binary.length)]!(asFloat(a), asFloat(b));
    else if (kind === 6) e = ir.add(ir.cast(a, "int32"), ir.mul(ir.cast(b, "int32"), -3));
    else if (kind === 7) e = ir.lt(asFloat(a), ir.constant([0.5, -0, Infinity, 1e-7][rnd(4)]!, float));
    else if (kind === 8) e = ir.select(ir.cast(a, "bool"), asFloat(b), ir.mul(asFloat(c), 1.5));
    else e = ir.and(ir.cast(a, "bool"), ir.not(ir.cast(b, "bool")));
    vals.push(e);
  }
  // Combine the last few values so the root depends on most of the graph.
  const root = vals.slice(-6).reduce((acc, v) => ir.add(acc, asFloat(v)), ir.constant(0, float));
  return { expr: root, dtypes };
}
