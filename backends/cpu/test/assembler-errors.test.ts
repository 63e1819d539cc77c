/**
 * The run-time WebAssembly text assembler on bad input: each mistake and each construct
 * outside its subset throws a WatError naming the token and its line and column, never bytes.
 * Also: `#assembler` resolves to this assembler from source and from dist.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assemble, WatError } from "../src/wasm/assembler.js";

const fn = (body: string, head = "") => `(module ${head}\n  (func $f (param $x i32) (local $v v128)\n    ${body}))`;
const mem = '(import "env" "memory" (memory 1 2 shared))';

describe("assembler errors", () => {
  const cases: [string, string, RegExp][] = [
    ["an unknown instruction", fn("(i32.frobnicate (local.get $x))"), /unsupported instruction 'i32\.frobnicate' \(wat line 3:6\)/],
    ["an unknown flat instruction", fn("local.get $x\n    f32x4.magic"), /unsupported instruction 'f32x4\.magic' \(wat line 4:5\)/],
    ["an unknown local", fn("(drop (local.get $y))"), /unknown local '\$y' \(wat line 3:22\)/],
    ["a local index past the end", fn("(drop (local.get 2))"), /unknown local '2'/],
    ["an unknown function", fn("(call $g)"), /unknown func '\$g'/],
    ["an unknown label", fn("(block $a (br $b))"), /unknown label '\$b'/],
    ["a branch too deep", fn("(block (br 2))"), /branch depth 2 is deeper than the enclosing blocks/],
    ["an i32 out of range", fn("(drop (i32.const 4294967296))"), /integer '4294967296' is out of the 32-bit range/],
    ["a malformed integer", fn("(drop (i32.const 12abc))"), /'12abc' is not an integer literal/],
    ["an f32 out of range", fn("(drop (f32.const 1e39))"), /'1e39' is out of the f32 range/],
    ["a malformed float", fn("(drop (f64.const 1.2.3))"), /'1\.2\.3' is not a float literal/],
    ["a bad NaN payload", fn("(drop (f32.const nan:0x800000))"), /bad NaN payload in 'nan:0x800000'/],
    ["a lane index out of range", fn("(drop (i32x4.extract_lane 4 (local.get $v)))"), /lane index 4 out of range for i32x4\.extract_lane/],
    ["a memory lane out of range", fn("(v128.store64_lane 2 (local.get $x) (local.get $v))", mem), /lane index 2 out of range/],
    ["a short shuffle", fn("(drop (i8x16.shuffle 0 1 2 (local.get $v) (local.get $v)))"), /expected 16 shuffle lane indices/],
    ["an unknown v128 shape", fn("(drop (v128.const i4x32 0))"), /unknown v128 shape 'i4x32'/],
    ["too few v128 lanes", fn("(drop (v128.const f32x4 1 2 3))"), /expected 4 lanes for v128\.const f32x4/],
    ["a memory op without a memory", fn("(drop (i32.load (local.get $x)))"), /'i32\.load' needs a memory and the module has none/],
    ["an alignment above natural", fn("(drop (i32.load align=8 (local.get $x)))", mem), /alignment 8 is larger than the natural alignment 4/],
    ["an alignment not a power of two", fn("(drop (i32.load align=3 (local.get $x)))", mem), /alignment 3 is not a power of two/],
    ["a block with two results", fn("(block (result i32 i32) (i32.const 1) (i32.const 2)) (drop) (drop)"), /block types other than one result are not supported/],
    ["a block with params", fn("(i32.const 1) (block (param i32) (drop))"), /block types other than one result are not supported \(block with 'param'\)/],
    ["an if without then", fn("(if (local.get $x) (nop))"), /'if' without \(then \.\.\.\)/],
    ["an else outside an if", fn("block\n    else\n    end"), /'else' outside an 'if'/],
    ["an end outside a block", fn("nop\n    end"), /'end' outside a block/],
    ["an unclosed flat block", fn("block $a\n    nop"), /unclosed 'block' in this function/],
    ["a mismatched end label", fn("block $a\n    end $b"), /label '\$b' does not match '\$a'/],
    ["a flat block left open in a folded one", fn("(block block nop)"), /a flat 'block' inside this block is not closed/],
    ["a flat end closing a folded block", fn("(loop nop end)"), /a flat 'end' inside this block ends the block itself/],
    ["a flat block left open in (then ...)", fn("(if (local.get $x) (then block) (else nop))"), /a flat block inside \(then \.\.\.\) is not closed/],
    ["a stray immediate in a folded instruction", fn("(i32.add 5 (local.get $x) (local.get $x))"), /unexpected '5' in \(i32\.add \.\.\.\)/],
    ["an unclosed parenthesis", "(module (func (nop)", /unclosed '\(' \(wat line 1:9\)/],
    ["a stray closing parenthesis", "(module))", /unexpected '\)' \(wat line 1:9\)/],
    ["an unterminated string", '(module (export "abc', /unterminated string/],
    ["a bad string escape", '(module (func (export "a\\q")))', /bad escape '\\q' in a string/],
    ["an unsupported module field", "(module (global i32 (i32.const 0)))", /unsupported module field 'global'/],
    ["a table", "(module (table 1 funcref))", /unsupported module field 'table'/],
    ["two memories", `(module ${mem} (memory 1))`, /only one memory is supported/],
    ["a shared memory without a maximum", "(module (memory 1 shared))", /a shared memory needs a maximum/],
    ["a duplicate export", '(module (func (export "a")) (func (export "a")))', /duplicate export "a"/],
    ["a duplicate function name", "(module (func $a) (func $a))", /duplicate function '\$a'/],
    ["a duplicate local name", "(module (func (param $a i32) (local $a f32)))", /duplicate local '\$a'/],
    ["an unknown value type", "(module (func (param $a i33)))", /expected a value type/],
    ["an import after a definition", '(module (func) (import "m" "f" (func)))', /imports must come before the functions the module defines/],
    ["no module", "(func)", /expected one \(module \.\.\.\)/],
    ["two modules", "(module) (module)", /expected one \(module \.\.\.\) \(wat line 1:10\)/],
  ];
  for (const [what, text, message] of cases)
    it(`${what}: ${message.source.slice(0, 60)}`, () => {
      let err: unknown = null;
      try {
        assemble(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WatError);
      expect((err as Error).message).toMatch(message);
    });

  it("a valid module next to these assembles and runs", () => {
    const bytes = assemble('(module (func (export "f") (param $a i32) (result i32) (i32.mul (local.get $a) (i32.const -3))))');
    const { f } = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports as { f: (a: number) => number };
    expect(f(7)).toBe(-21);
  });
});

describe("#assembler", () => {
  it("resolves to this assembler from source and from dist (the build's rootDir src/ becomes dist/)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { imports: Record<string, Record<string, string>> };
    expect(pkg.imports["#assembler"]).toEqual({ source: "./src/wasm/assembler.ts", default: "./dist/wasm/assembler.js" });
    const build = JSON.parse(readFileSync(new URL("../tsconfig.build.json", import.meta.url), "utf8")) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", rootDir: "src" });
  });
});
