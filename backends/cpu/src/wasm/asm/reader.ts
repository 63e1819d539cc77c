/**
 * The s-expression reader of the WebAssembly text assembler: text to nested lists of atoms
 * and strings, comments (`;; line`, nested `(; block ;)`) dropped, each node remembering its
 * offset in the text for error messages.
 */

/** An atom: a keyword, an identifier (`$name`), a number or an `offset=`-style immediate. */
export interface Atom {
  readonly kind: "atom";
  readonly text: string;
  readonly pos: number;
}
/** A string literal, decoded to its bytes (UTF-8 for characters, escapes as written). */
export interface Str {
  readonly kind: "string";
  readonly bytes: Uint8Array;
  readonly pos: number;
}
/** A parenthesized list. */
export interface List {
  readonly kind: "list";
  readonly items: readonly SNode[];
  readonly pos: number;
}
/** One node of the text. */
export type SNode = Atom | Str | List;

/** An error in WebAssembly text, with the line and column it was found at. */
export class WatError extends Error {
  override name = "WatError";
  constructor(message: string, text: string, pos: number) {
    super(`${message} (wat line ${lineCol(text, pos)})`);
  }
}

/** "line:column" (1-based) of an offset in `text`. */
export function lineCol(text: string, pos: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    line++;
    start = i + 1;
  }
  return `${line}:${pos - start + 1}`;
}

const SPACE = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
const ENDS_ATOM = (c: number): boolean => SPACE(c) || c === 40 || c === 41 || c === 34 || c === 59;
const encoder = new TextEncoder();

/** Decode the string literal starting at `text[start]` (a quote); returns its bytes and the offset after it. */
function readString(text: string, start: number): { bytes: Uint8Array; end: number } {
  const out: number[] = [];
  let i = start + 1;
  let run = i;
  const flush = (to: number) => {
    if (to > run) for (const b of encoder.encode(text.slice(run, to))) out.push(b);
  };
  for (;;) {
    if (i >= text.length) throw new WatError("unterminated string", text, start);
    const c = text.charCodeAt(i);
    if (c === 34) {
      flush(i);
      return { bytes: Uint8Array.from(out), end: i + 1 };
    }
    if (c === 10) throw new WatError("newline in a string", text, i);
    if (c !== 92) {
      i++;
      continue;
    }
    flush(i);
    const e = text[i + 1];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "'": 39, "\\": 92 };
    if (e !== undefined && e in simple) {
      out.push(simple[e]!);
      i += 2;
    } else if (e === "u" && text[i + 2] === "{") {
      const close = text.indexOf("}", i + 3);
      const hex = close < 0 ? "" : text.slice(i + 3, close);
      if (!/^[0-9a-fA-F]+$/.test(hex)) throw new WatError("bad \\u{...} escape in a string", text, i);
      for (const b of encoder.encode(String.fromCodePoint(parseInt(hex, 16)))) out.push(b);
      i = close + 1;
    } else if (/^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else throw new WatError(`bad escape '\\${e ?? ""}' in a string`, text, i);
    run = i;
  }
}

/** Read every top-level node of `text`. */
export function readSExprs(text: string): SNode[] {
  const stack: { items: SNode[]; pos: number }[] = [{ items: [], pos: 0 }];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (SPACE(c)) {
      i++;
    } else if (c === 59 && text.charCodeAt(i + 1) === 59) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === 40 && text.charCodeAt(i + 1) === 59) {
      let depth = 1;
      const open = i;
      i += 2;
      while (depth > 0) {
        if (i >= n) throw new WatError("unterminated block comment", text, open);
        const two = text.slice(i, i + 2);
        depth += two === "(;" ? 1 : two === ";)" ? -1 : 0;
        i += two === "(;" || two === ";)" ? 2 : 1;
      }
    } else if (c === 40) {
      stack.push({ items: [], pos: i });
      i++;
    } else if (c === 41) {
      if (stack.length === 1) throw new WatError("unexpected ')'", text, i);
      const done = stack.pop()!;
      stack[stack.length - 1]!.items.push({ kind: "list", items: done.items, pos: done.pos });
      i++;
    } else if (c === 34) {
      const s = readString(text, i);
      stack[stack.length - 1]!.items.push({ kind: "string", bytes: s.bytes, pos: i });
      i = s.end;
    } else if (c === 59) {
      throw new WatError("unexpected ';'", text, i);
    } else {
      const start = i;
      while (i < n && !ENDS_ATOM(text.charCodeAt(i))) i++;
      stack[stack.length - 1]!.items.push({ kind: "atom", text: text.slice(start, i), pos: start });
    }
  }
  if (stack.length > 1) throw new WatError("unclosed '('", text, stack[stack.length - 1]!.pos);
  return stack[0]!.items;
}
