/**
 * Function bodies of the WebAssembly text assembler: folded (`(i32.add (a) (b))`) and flat
 * (`block ... end`) instructions to code bytes, with their immediates (labels by name or
 * depth, locals and functions by name or index, memargs, lanes, v128 constants, shuffles).
 */
import { f32Bits, f64Bits, i32Value, intBits, LiteralError, u32Value } from "./literals.js";
import { OPCODES, type OpInfo } from "./opcodes.js";
import { WatError, type Atom, type List, type SNode } from "./reader.js";
import type { ByteWriter } from "./writer.js";

/** Value types and their binary codes. */
export const VALTYPES: Readonly<Record<string, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };

/** What a body can refer to: the module's functions and memory, the function's locals. */
export interface BodyScope {
  readonly text: string;
  readonly funcs: ReadonlyMap<string, number>;
  readonly funcCount: number;
  readonly hasMemory: boolean;
  readonly locals: ReadonlyMap<string, number>;
  readonly localCount: number;
}

const LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, f32x4: 4, i64x2: 2, f64x2: 2 };
const isAtom = (n: SNode | undefined): n is Atom => n !== undefined && n.kind === "atom";
const isList = (n: SNode | undefined, head?: string): n is List =>
  n !== undefined && n.kind === "list" && (head === undefined || (isAtom(n.items[0]) && n.items[0].text === head));

/** Encodes one function body. */
class BodyEncoder {
  private readonly labels: { name: string | null; kind: string; sawElse: boolean }[] = [];
  constructor(
    private readonly scope: BodyScope,
    private readonly out: ByteWriter,
  ) {}

  fail(node: SNode, message: string): never {
    throw new WatError(message, this.scope.text, node.pos);
  }

  /** A literal, with its position on error. */
  lit<T>(node: Atom, f: (text: string) => T): T {
    try {
      return f(node.text);
    } catch (e) {
      if (e instanceof LiteralError) this.fail(node, e.message);
      throw e;
    }
  }

  atomAt(items: readonly SNode[], i: number, owner: SNode, what: string): Atom {
    const n = items[i];
    if (!isAtom(n)) this.fail(n ?? owner, `expected ${what}`);
    return n;
  }

  /** Instructions items[i..], flat or folded. */
  seq(items: readonly SNode[], i: number): void {
    while (i < items.length) {
      const n = items[i]!;
      if (n.kind === "list") {
        this.folded(n);
        i++;
      } else if (n.kind === "atom") i = this.flat(items, i);
      else this.fail(n, "unexpected string among instructions");
    }
  }

  /** Whole body: instructions then the closing `end`. */
  body(items: readonly SNode[], i: number, owner: SNode): void {
    this.seq(items, i);
    if (this.labels.length > 0) this.fail(owner, `unclosed '${this.labels[this.labels.length - 1]!.kind}' in this function`);
    this.out.byte(0x0b);
  }

  /** Optional label then block type at items[i]; returns the next index. */
  blockHead(items: readonly SNode[], i: number, kind: string): number {
    let name: string | null = null;
    const first = items[i];
    if (isAtom(first) && first.text.startsWith("$")) {
      name = first.text;
      i++;
    }
    let type = 0x40;
    while (isList(items[i], "result") || isList(items[i], "param") || isList(items[i], "type")) {
      const l = items[i] as List;
      const head = (l.items[0] as Atom).text;
      if (head !== "result" || type !== 0x40 || l.items.length > 2)
        this.fail(l, `block types other than one result are not supported (${kind} with '${head}')`);
      if (l.items.length === 2) type = this.valtype(l.items[1], l);
      i++;
    }
    this.out.bytes(OPCODES.get(kind)!.bytes);
    this.out.byte(type);
    this.labels.push({ name, kind, sawElse: false });
    return i;
  }

  valtype(n: SNode | undefined, owner: SNode): number {
    const t = isAtom(n) ? VALTYPES[n.text] : undefined;
    if (t === undefined) this.fail(n ?? owner, `expected a value type`);
    return t;
  }

  /** A flat instruction at items[i]; returns the index after it and its immediates. */
  flat(items: readonly SNode[], i: number): number {
    const head = items[i] as Atom;
    const name = head.text;
    if (name === "end" || name === "else") {
      const top = this.labels[this.labels.length - 1];
      if (top === undefined) this.fail(head, `'${name}' outside a block`);
      const next = items[i + 1];
      const labelled = isAtom(next) && next.text.startsWith("$");
      if (name === "else") {
        if (top.kind !== "if" || top.sawElse) this.fail(head, "'else' outside an 'if'");
        top.sawElse = true;
        // An empty else branch is left out (as wabt does).
        const after = items[labelled ? i + 2 : i + 1];
        if (!(isAtom(after) && after.text === "end")) this.out.byte(0x05);
      } else {
        this.labels.pop();
        this.out.byte(0x0b);
      }
      if (labelled) {
        if (next.text !== top.name) this.fail(next, `label '${next.text}' does not match '${top.name ?? "(none)"}'`);
        return i + 2;
      }
      return i + 1;
    }
    const info = OPCODES.get(name);
    if (info === undefined) this.fail(head, `unsupported instruction '${name}'`);
    if (info.imm === "block") return this.blockHead(items, i + 1, name);
    return this.emit(name, info, items, i + 1, head);
  }

  /** A folded instruction. */
  folded(list: List): void {
    const items = list.items;
    const head = items[0];
    if (!isAtom(head)) this.fail(list, "expected an instruction");
    const name = head.text;
    if (name === "block" || name === "loop") {
      const i = this.blockHead(items, 1, name);
      const depth = this.labels.length;
      this.seq(items, i);
      this.closeFolded(depth, list);
      return;
    }
    if (name === "if") {
      // The label and type come first, but the condition is computed before the `if` opcode.
      let i = 1;
      const first = items[i];
      if (isAtom(first) && first.text.startsWith("$")) i++;
      while (isList(items[i], "result") || isList(items[i], "param") || isList(items[i], "type")) i++;
      const headEnd = i;
      for (; i < items.length && !isList(items[i], "then"); i++) {
        if (!isList(items[i])) this.fail(items[i]!, "expected a folded condition or (then ...)");
        this.folded(items[i] as List);
      }
      const then = items[i];
      if (!isList(then, "then")) this.fail(list, "'if' without (then ...)");
      if (this.blockHead(items.slice(0, headEnd), 1, "if") !== headEnd) this.fail(list, "bad 'if' header");
      const depth = this.labels.length;
      this.seq(then.items, 1);
      const els = items[i + 1];
      if (isList(els, "else")) {
        if (this.labels.length !== depth) this.fail(then, "a flat block inside (then ...) is not closed");
        if (els.items.length > 1) this.out.byte(0x05); // an empty else branch is left out (as wabt does)
        this.seq(els.items, 1);
      } else if (els !== undefined) this.fail(els, "expected (else ...) or ')'");
      if (i + 2 < items.length) this.fail(items[i + 2]!, "unexpected item after (else ...)");
      this.closeFolded(depth, list);
      return;
    }
    const info = OPCODES.get(name);
    if (info === undefined) this.fail(head, `unsupported instruction '${name}'`);
    if (info.imm === "block") this.fail(head, `'${name}' cannot be folded`);
    // Operands are the folded lists after the immediates (select's `(result t)` is an immediate).
    let k = 1;
    while (k < items.length && (!isList(items[k]) || (info.imm === "select" && isList(items[k], "result")))) k++;
    for (let j = k; j < items.length; j++) this.folded(items[j] as List);
    const next = this.emit(name, info, items.slice(0, k), 1, list);
    if (next !== k) this.fail(items[next]!, `unexpected '${describe(items[next]!)}' in (${name} ...)`);
  }

  /** End a folded block: flat blocks inside must be closed, and its own label not ended by a flat `end`. */
  closeFolded(depth: number, list: List): void {
    if (this.labels.length > depth) this.fail(list, `a flat '${this.labels[this.labels.length - 1]!.kind}' inside this block is not closed`);
    if (this.labels.length < depth) this.fail(list, "a flat 'end' inside this block ends the block itself");
    this.labels.pop();
    this.out.byte(0x0b);
  }

  /** Opcode and immediates of `name` (immediates from items[i]); returns the index after them. */
  emit(name: string, info: OpInfo, items: readonly SNode[], i: number, owner: SNode): number {
    const out = this.out;
    const memory = () => {
      if (!this.scope.hasMemory) this.fail(owner, `'${name}' needs a memory and the module has none`);
    };
    if (info.imm === "select") {
      if (!isList(items[i], "result")) {
        out.byte(0x1b);
        return i;
      }
      const l = items[i] as List;
      out.byte(0x1c);
      out.u32(l.items.length - 1);
      for (let j = 1; j < l.items.length; j++) out.byte(this.valtype(l.items[j], l));
      return i + 1;
    }
    out.bytes(info.bytes);
    switch (info.imm) {
      case "none":
        return i;
      case "label":
        out.u32(this.label(this.atomAt(items, i, owner, "a label")));
        return i + 1;
      case "labels": {
        const ls: number[] = [];
        while (isAtom(items[i]) && /^[$\d]/.test((items[i] as Atom).text)) ls.push(this.label(items[i++] as Atom));
        if (ls.length === 0) this.fail(items[i] ?? owner, "br_table needs at least one label");
        out.u32(ls.length - 1);
        for (const l of ls) out.u32(l);
        return i;
      }
      case "func":
      case "local": {
        const a = this.atomAt(items, i, owner, `a ${info.imm} name or index`);
        const [names, count] = info.imm === "func" ? [this.scope.funcs, this.scope.funcCount] : [this.scope.locals, this.scope.localCount];
        const idx = a.text.startsWith("$") ? names.get(a.text) : this.lit(a, u32Value);
        if (idx === undefined || idx >= count) this.fail(a, `unknown ${info.imm} '${a.text}'`);
        out.u32(idx);
        return i + 1;
      }
      case "i32":
        out.s32(this.lit(this.atomAt(items, i, owner, "an i32 literal"), i32Value));
        return i + 1;
      case "i64":
        out.s64(this.lit(this.atomAt(items, i, owner, "an i64 literal"), (t) => intBits(t, 64)));
        return i + 1;
      case "f32":
        out.word(this.lit(this.atomAt(items, i, owner, "an f32 literal"), f32Bits));
        return i + 1;
      case "f64":
        out.fixed(this.lit(this.atomAt(items, i, owner, "an f64 literal"), f64Bits), 8);
        return i + 1;
      case "memarg":
        memory();
        return this.memarg(info, items, i);
      case "memlane": {
        memory();
        const j = this.memarg(info, items, i);
        const lane = this.lit(this.atomAt(items, j, owner, "a lane index"), u32Value);
        if (lane >= 16 >> info.align) this.fail(items[j]!, `lane index ${lane} out of range`);
        out.byte(lane);
        return j + 1;
      }
      case "lane": {
        const a = this.atomAt(items, i, owner, "a lane index");
        const lane = this.lit(a, u32Value);
        if (lane >= LANES[name.slice(0, name.indexOf("."))]!) this.fail(a, `lane index ${lane} out of range for ${name}`);
        out.byte(lane);
        return i + 1;
      }
      case "v128":
        return this.v128(items, i, owner);
      case "shuffle":
        for (let j = 0; j < 16; j++) {
          const a = this.atomAt(items, i + j, owner, "16 shuffle lane indices");
          const lane = this.lit(a, u32Value);
          if (lane >= 32) this.fail(a, `shuffle lane index ${lane} out of range`);
          out.byte(lane);
        }
        return i + 16;
      case "zero":
      case "zero2":
        memory();
        out.byte(0);
        if (info.imm === "zero2") out.byte(0);
        return i;
      default:
        return this.fail(owner, `unsupported immediate for '${name}'`);
    }
  }

  /** A branch target: a label name or a depth. */
  label(a: Atom): number {
    if (!a.text.startsWith("$")) {
      const d = this.lit(a, u32Value);
      if (d > this.labels.length) this.fail(a, `branch depth ${d} is deeper than the enclosing blocks`);
      return d;
    }
    for (let k = this.labels.length - 1; k >= 0; k--) if (this.labels[k]!.name === a.text) return this.labels.length - 1 - k;
    return this.fail(a, `unknown label '${a.text}'`);
  }

  /** `offset=N align=N` (both optional) as align log2 then offset. */
  memarg(info: OpInfo, items: readonly SNode[], i: number): number {
    let offset = 0;
    let align = info.align;
    const a0 = items[i];
    if (isAtom(a0) && a0.text.startsWith("offset=")) {
      offset = this.lit(a0, (t) => u32Value(t.slice(7)));
      i++;
    }
    const a1 = items[i];
    if (isAtom(a1) && a1.text.startsWith("align=")) {
      const bytes = this.lit(a1, (t) => u32Value(t.slice(6)));
      align = Math.log2(bytes);
      if (!Number.isInteger(align)) this.fail(a1, `alignment ${bytes} is not a power of two`);
      if (align > info.align) this.fail(a1, `alignment ${bytes} is larger than the natural alignment ${2 ** info.align}`);
      i++;
    }
    this.out.u32(align);
    this.out.u32(offset);
    return i;
  }

  /** `v128.const shape lanes...`. */
  v128(items: readonly SNode[], i: number, owner: SNode): number {
    const shape = this.atomAt(items, i, owner, "a v128 shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)");
    const lanes = LANES[shape.text];
    if (lanes === undefined) this.fail(shape, `unknown v128 shape '${shape.text}'`);
    const bits = 128 / lanes;
    for (let j = 1; j <= lanes; j++) {
      const a = this.atomAt(items, i + j, owner, `${lanes} lanes for v128.const ${shape.text}`);
      if (shape.text === "f32x4") this.out.word(this.lit(a, f32Bits));
      else if (shape.text === "f64x2") this.out.fixed(this.lit(a, f64Bits), 8);
      else if (bits === 32) this.out.word(this.lit(a, i32Value));
      else this.out.fixed(this.lit(a, (t) => intBits(t, bits)), bits / 8);
    }
    return i + lanes + 1;
  }
}

function describe(n: SNode): string {
  return n.kind === "atom" ? n.text : n.kind === "string" ? "string" : isAtom(n.items[0]) ? `(${n.items[0].text} ...)` : "(...)";
}

/** Encode the instructions items[start..] of one function into `out`, ending with `end`. */
export function encodeBody(scope: BodyScope, items: readonly SNode[], start: number, owner: SNode, out: ByteWriter): void {
  new BodyEncoder(scope, out).body(items, start, owner);
}
