/**
 * The user's call site: the first stack frame outside eager's own sources (core, the backends,
 * the test runner and Node's internals). Costs a stack capture, so only the debugging tools call it.
 */

const INTERNAL = [/[\\/]packages[\\/]core[\\/](src|dist)[\\/]/, /[\\/]backends[\\/][^\\/]+[\\/](src|dist)[\\/]/, /@eager[\\/]/, /node_modules/, /\(?node:/, /\(native\)/, /^\s*at (new )?Promise/, /^\s*at <anonymous>\s*$/];

/**
 * The first frame of `stack` outside eager ("fn (file:line:column)"), followed by the next
 * user frame below it ("... <- caller (file:line:column)"); "unknown" when none.
 */
export function userFrame(stack: string | undefined): string {
  if (!stack) return "unknown";
  const lines = stack.split("\n").slice(1).map((l) => l.trim());
  const user = (l: string) => l !== "" && !INTERNAL.some((r) => r.test(l));
  const at = lines.findIndex(user);
  if (at < 0) return "unknown";
  const next = lines.slice(at + 1).find(user);
  return cleanFrame(lines[at]!) + (next ? ` <- ${cleanFrame(next)}` : "");
}

/** The caller's site, captured now (see `userFrame`). */
export function callSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return userFrame(stack);
}

/** "at fn (file:///a/b.ts:3:9)" -> "fn (/a/b.ts:3:9)"; Firefox's "fn@url:3:9" the same. */
function cleanFrame(l: string): string {
  let s = l.replace(/^at\s+/, "");
  const at = /^(.*)@(.*)$/.exec(s);
  if (at && !s.includes("(")) s = at[1] ? `${at[1]} (${at[2]})` : at[2]!;
  s = s.replace(/^(async )?<anonymous> \((.*)\)$/, "$2");
  return s.replace(/file:\/\//g, "").replace(/https?:\/\/[^/]+/g, "").replace(/\?[^:)]*(?=:\d)/g, "");
}
