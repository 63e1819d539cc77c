/**
 * The caller's source location: the first stack frame outside this library, as "file:line:col".
 * Used to point an error raised deep inside the library at the line of user code that caused it.
 * The library's root is read from this function's own frame, so it works for sources and builds,
 * in Node and in browsers (where files are served under URLs).
 */

function frameFiles(stack: string): { file: string; line: string; col: string }[] {
  const out: { file: string; line: string; col: string }[] = [];
  for (const text of stack.split("\n")) {
    const m = /((?:[a-z][a-z0-9+.-]*:\/\/)?[^\s()@]+):(\d+):(\d+)\)?\s*$/i.exec(text.trim());
    if (m) out.push({ file: m[1]!, line: m[2]!, col: m[3]! });
  }
  return out;
}

/** Where the user code that led here is, or null when the stack does not show it. */
export function userLine(): string | null {
  const frames = frameFiles(new Error().stack ?? "");
  const own = frames[0]?.file ?? "";
  const cut = own.lastIndexOf("/compile/");
  if (cut < 0) return null;
  const root = own.slice(0, cut + 1);
  for (const f of frames.slice(1)) {
    if (f.file.startsWith(root) || f.file.startsWith("node:") || f.file.includes("/node_modules/")) continue;
    return `${f.file.replace(/^file:\/\//, "").replace(/\?[^:]*$/, "")}:${f.line}:${f.col}`;
  }
  return null;
}
