/**
 * Module level of the WebAssembly text assembler: `(module ...)` with types, imports (functions,
 * one memory), functions (inline exports, named params, locals and results), one memory and
 * exports, to a binary module laid out as wabt lays it out (types in order of first use,
 * consecutive locals of one type grouped, minimal LEB128 sizes, no name section).
 */
import { encodeBody, VALTYPES, type BodyScope } from "./body.js";
import { LiteralError, u32Value } from "./literals.js";
import { readSExprs, WatError, type Atom, type List, type SNode, type Str } from "./reader.js";
import { ByteWriter } from "./writer.js";

interface Sig {
  readonly params: number[];
  readonly results: number[];
}
interface FuncDef {
  readonly node: List;
  readonly type: number;
  readonly locals: Map<string, number>;
  readonly localTypes: number[];
  readonly bodyStart: number;
}
interface Limits {
  readonly min: number;
  readonly max: number | null;
  readonly shared: boolean;
}

const isAtom = (n: SNode | undefined): n is Atom => n !== undefined && n.kind === "atom";
const headOf = (n: SNode | undefined): string | null => (n !== undefined && n.kind === "list" && isAtom(n.items[0]) ? n.items[0].text : null);
const sigKey = (s: Sig): string => `${s.params.join(",")}>${s.results.join(",")}`;

/** Assembles one module's text. */
class ModuleAssembler {
  private readonly types: Sig[] = [];
  private readonly typeNames = new Map<string, number>();
  private readonly imports: { module: Uint8Array; field: Uint8Array; kind: number; type?: number; limits?: Limits }[] = [];
  private readonly funcNames = new Map<string, number>();
  private funcCount = 0;
  private readonly funcs: FuncDef[] = [];
  private memory: { limits: Limits; imported: boolean } | null = null;
  private readonly memoryNames = new Map<string, number>();
  private readonly exports: { name: Uint8Array; kind: number; ref: Atom }[] = [];

  constructor(private readonly text: string) {}

  fail(node: SNode, message: string): never {
    throw new WatError(message, this.text, node.pos);
  }

  u32(a: SNode | undefined, owner: SNode, what: string): number {
    if (!isAtom(a)) this.fail(a ?? owner, `expected ${what}`);
    try {
      return u32Value(a.text);
    } catch (e) {
      if (e instanceof LiteralError) this.fail(a, e.message);
      throw e;
    }
  }

  str(n: SNode | undefined, owner: SNode, what: string): Uint8Array {
    if (n === undefined || n.kind !== "string") this.fail(n ?? owner, `expected ${what} (a string)`);
    return (n as Str).bytes;
  }

  valtype(n: SNode | undefined, owner: SNode): number {
    const t = isAtom(n) ? VALTYPES[n.text] : undefined;
    if (t === undefined) this.fail(n ?? owner, "expected a value type");
    return t;
  }

  /** The index of a signature, appended on first use. */
  typeIndex(sig: Sig): number {
    const key = sigKey(sig);
    const k = this.types.findIndex((t) => sigKey(t) === key);
    if (k >= 0) return k;
    this.types.push(sig);
    return this.types.length - 1;
  }

  /** `(type $t)? (param ...)* (result ...)*` from items[i]: the type index, param names, and the next index. */
  typeUse(items: readonly SNode[], i: number, owner: SNode): { type: number; names: Map<string, number>; params: number; next: number } {
    let explicit: number | null = null;
    if (headOf(items[i]) === "type") {
      const ref = (items[i] as List).items[1];
      const idx = isAtom(ref) && ref.text.startsWith("$") ? this.typeNames.get(ref.text) : this.u32(ref, items[i]!, "a type index");
      if (idx === undefined || idx >= this.types.length) this.fail(ref ?? items[i]!, `unknown type '${isAtom(ref) ? ref.text : ""}'`);
      explicit = idx;
      i++;
    }
    const sig: Sig = { params: [], results: [] };
    const names = new Map<string, number>();
    let inline = false;
    for (; headOf(items[i]) === "param"; i++) {
      inline = true;
      const l = items[i] as List;
      if (isAtom(l.items[1]) && l.items[1].text.startsWith("$")) {
        if (l.items.length !== 3) this.fail(l, "a named param has exactly one type");
        if (names.has(l.items[1].text)) this.fail(l.items[1], `duplicate local '${l.items[1].text}'`);
        names.set(l.items[1].text, sig.params.length);
        sig.params.push(this.valtype(l.items[2], l));
      } else for (const t of l.items.slice(1)) sig.params.push(this.valtype(t, l));
    }
    for (; headOf(items[i]) === "result"; i++) {
      inline = true;
      for (const t of (items[i] as List).items.slice(1)) sig.results.push(this.valtype(t, items[i]!));
    }
    if (explicit !== null) {
      if (inline && sigKey(sig) !== sigKey(this.types[explicit]!)) this.fail(owner, "inline params and results differ from the named type");
      return { type: explicit, names, params: this.types[explicit]!.params.length, next: i };
    }
    return { type: this.typeIndex(sig), names, params: sig.params.length, next: i };
  }

  limits(items: readonly SNode[], i: number, owner: SNode): Limits {
    const min = this.u32(items[i], owner, "the memory's minimum pages");
    let max: number | null = null;
    let k = i + 1;
    const second = items[k];
    if (isAtom(second) && /^\d/.test(second.text)) {
      max = this.u32(second, owner, "the memory's maximum pages");
      k++;
    }
    let shared = false;
    const flag = items[k];
    if (isAtom(flag) && flag.text === "shared") {
      shared = true;
      k++;
    }
    if (k < items.length) this.fail(items[k]!, "unexpected item in memory limits");
    if (shared && max === null) this.fail(owner, "a shared memory needs a maximum");
    if (max !== null && max < min) this.fail(owner, "the memory's maximum is below its minimum");
    return { min, max, shared };
  }

  setMemory(limits: Limits, imported: boolean, node: List, name: SNode | undefined): void {
    if (this.memory !== null) this.fail(node, "only one memory is supported");
    this.memory = { limits, imported };
    if (isAtom(name) && name.text.startsWith("$")) this.memoryNames.set(name.text, 0);
  }

  nameOf(items: readonly SNode[], i: number): { name: string | null; next: number } {
    const a = items[i];
    return isAtom(a) && a.text.startsWith("$") ? { name: a.text, next: i + 1 } : { name: null, next: i };
  }

  /** Register the module's fields (pass 1: explicit types; pass 2: everything else, in text order). */
  fields(module: List): void {
    const items = module.items;
    let start = 1;
    if (isAtom(items[1]) && items[1].text.startsWith("$")) start = 2;
    for (const f of items.slice(start)) {
      if (headOf(f) !== "type") continue;
      const l = f as List;
      const { name, next } = this.nameOf(l.items, 1);
      const fn = l.items[next];
      if (headOf(fn) !== "func" || next + 1 !== l.items.length) this.fail(l, "expected (type $name? (func ...))");
      const before = this.types.length;
      const u = this.typeUse((fn as List).items, 1, fn as List);
      if (u.next !== (fn as List).items.length) this.fail((fn as List).items[u.next]!, "unexpected item in a type");
      // An explicit type is always its own entry, even when it repeats an earlier one.
      if (this.types.length === before) this.types.push(this.types[u.type]!);
      if (name !== null) this.typeNames.set(name, this.types.length - 1);
    }
    let defined = false;
    for (const f of items.slice(start)) {
      const head = headOf(f);
      if (head === null) this.fail(f, "expected a module field");
      const l = f as List;
      if (head === "type") continue;
      if (head === "import") {
        const module = this.str(l.items[1], l, "the import's module name");
        const field = this.str(l.items[2], l, "the import's field name");
        const desc = l.items[3];
        const kind = headOf(desc);
        if (desc === undefined || l.items.length !== 4) this.fail(l, "expected (import \"module\" \"name\" (func|memory ...))");
        const d = desc as List;
        const { name, next } = this.nameOf(d.items, 1);
        if (kind === "func") {
          if (defined) this.fail(l, "imports must come before the functions the module defines");
          const u = this.typeUse(d.items, next, d);
          if (u.next !== d.items.length) this.fail(d.items[u.next]!, "unexpected item in an imported function");
          if (name !== null) this.funcNames.set(name, this.funcCount);
          this.funcCount++;
          this.imports.push({ module, field, kind: 0, type: u.type });
        } else if (kind === "memory") {
          const limits = this.limits(d.items, next, d);
          this.setMemory(limits, true, d, d.items[1]);
          this.imports.push({ module, field, kind: 2, limits });
        } else this.fail(desc, `unsupported import kind '${kind ?? "?"}'`);
      } else if (head === "func") {
        defined = true;
        let { name, next: i } = this.nameOf(l.items, 1);
        if (name !== null) {
          if (this.funcNames.has(name)) this.fail(l.items[1]!, `duplicate function '${name}'`);
          this.funcNames.set(name, this.funcCount);
        }
        for (; headOf(l.items[i]) === "export"; i++) {
          const e = l.items[i] as List;
          this.exports.push({ name: this.str(e.items[1], e, "the export name"), kind: 0, ref: { kind: "atom", text: String(this.funcCount), pos: e.pos } });
        }
        if (headOf(l.items[i]) === "import") this.fail(l.items[i]!, "inline function imports are not supported");
        const u = this.typeUse(l.items, i, l);
        i = u.next;
        const locals = u.names;
        const localTypes: number[] = [];
        for (; headOf(l.items[i]) === "local"; i++) {
          const d = l.items[i] as List;
          if (isAtom(d.items[1]) && d.items[1].text.startsWith("$")) {
            if (d.items.length !== 3) this.fail(d, "a named local has exactly one type");
            if (locals.has(d.items[1].text)) this.fail(d.items[1], `duplicate local '${d.items[1].text}'`);
            locals.set(d.items[1].text, u.params + localTypes.length);
            localTypes.push(this.valtype(d.items[2], d));
          } else for (const t of d.items.slice(1)) localTypes.push(this.valtype(t, d));
        }
        this.funcs.push({ node: l, type: u.type, locals, localTypes, bodyStart: i });
        this.funcCount++;
      } else if (head === "memory") {
        let { next: i } = this.nameOf(l.items, 1);
        const exports: List[] = [];
        for (; headOf(l.items[i]) === "export"; i++) exports.push(l.items[i] as List);
        if (headOf(l.items[i]) === "import") this.fail(l.items[i]!, "inline memory imports are not supported; use (import ... (memory ...))");
        this.setMemory(this.limits(l.items, i, l), false, l, l.items[1]);
        for (const e of exports) this.exports.push({ name: this.str(e.items[1], e, "the export name"), kind: 2, ref: { kind: "atom", text: "0", pos: e.pos } });
      } else if (head === "export") {
        const name = this.str(l.items[1], l, "the export name");
        const desc = l.items[2];
        const kind = headOf(desc);
        if (l.items.length !== 3 || (kind !== "func" && kind !== "memory") || (desc as List).items.length !== 2) this.fail(l, 'expected (export "name" (func|memory x))');
        this.exports.push({ name, kind: kind === "func" ? 0 : 2, ref: (desc as List).items[1] as Atom });
      } else this.fail(l, `unsupported module field '${head}'`);
    }
  }

  /** The index an export refers to. */
  exportIndex(e: { kind: number; ref: SNode }): number {
    const names = e.kind === 0 ? this.funcNames : this.memoryNames;
    const count = e.kind === 0 ? this.funcCount : this.memory === null ? 0 : 1;
    const idx = isAtom(e.ref) && e.ref.text.startsWith("$") ? names.get(e.ref.text) : this.u32(e.ref, e.ref, "an index");
    if (idx === undefined || idx >= count) this.fail(e.ref, `unknown ${e.kind === 0 ? "function" : "memory"} '${isAtom(e.ref) ? e.ref.text : ""}'`);
    return idx;
  }

  /** The binary module. */
  binary(): Uint8Array {
    const out = new ByteWriter();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, count: number, write: (w: ByteWriter) => void) => {
      if (count === 0) return;
      const w = new ByteWriter();
      w.u32(count);
      write(w);
      const bytes = w.finish();
      out.byte(id);
      out.u32(bytes.length);
      out.bytes(bytes);
    };
    const limits = (w: ByteWriter, l: Limits) => {
      w.byte((l.max === null ? 0 : 1) | (l.shared ? 2 : 0));
      w.u32(l.min);
      if (l.max !== null) w.u32(l.max);
    };
    section(1, this.types.length, (w) => {
      for (const t of this.types) {
        w.byte(0x60);
        w.u32(t.params.length);
        w.bytes(t.params);
        w.u32(t.results.length);
        w.bytes(t.results);
      }
    });
    section(2, this.imports.length, (w) => {
      for (const im of this.imports) {
        w.name(im.module);
        w.name(im.field);
        w.byte(im.kind);
        if (im.kind === 0) w.u32(im.type!);
        else limits(w, im.limits!);
      }
    });
    section(3, this.funcs.length, (w) => this.funcs.forEach((f) => w.u32(f.type)));
    section(5, this.memory !== null && !this.memory.imported ? 1 : 0, (w) => limits(w, this.memory!.limits));
    const seen = new Set<string>();
    for (const e of this.exports) {
      const key = new TextDecoder().decode(e.name);
      if (seen.has(key)) this.fail(e.ref, `duplicate export "${key}"`);
      seen.add(key);
    }
    section(7, this.exports.length, (w) => {
      for (const e of this.exports) {
        w.name(e.name);
        w.byte(e.kind);
        w.u32(this.exportIndex(e));
      }
    });
    section(10, this.funcs.length, (w) => {
      for (const f of this.funcs) {
        const body = new ByteWriter();
        const groups: [number, number][] = [];
        for (const t of f.localTypes) {
          const last = groups[groups.length - 1];
          if (last !== undefined && last[1] === t) last[0]++;
          else groups.push([1, t]);
        }
        body.u32(groups.length);
        for (const [n, t] of groups) {
          body.u32(n);
          body.byte(t);
        }
        const scope: BodyScope = {
          text: this.text,
          funcs: this.funcNames,
          funcCount: this.funcCount,
          hasMemory: this.memory !== null,
          locals: f.locals,
          localCount: this.types[f.type]!.params.length + f.localTypes.length,
        };
        encodeBody(scope, f.node.items, f.bodyStart, f.node, body);
        const bytes = body.finish();
        w.u32(bytes.length);
        w.bytes(bytes);
      }
    });
    return out.finish();
  }
}

/**
 * Assemble WebAssembly text (one `(module ...)`) into a binary module. Throws `WatError`, naming
 * the line and column, for malformed text and for anything outside the supported subset.
 */
export function assemble(text: string): Uint8Array {
  const top = readSExprs(text);
  const module = top[0];
  if (top.length !== 1 || headOf(module) !== "module") throw new WatError("expected one (module ...)", text, top[1]?.pos ?? module?.pos ?? 0);
  const m = new ModuleAssembler(text);
  m.fields(module as List);
  return m.binary();
}
