/**
 * The prebuilt kernel binaries as the backend uses them: decoded from the base64 text the
 * build embeds, and, for engines or pages without shared memory, the same module with its
 * imported memory declared unshared (one flag byte in the import section; nothing else differs).
 */

/** Decode base64 text to bytes. */
export function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Read an unsigned LEB128 at `at`: the value and the offset after it. */
export function leb(b: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = b[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** Skip a name (a length-prefixed UTF-8 string). */
function skipName(b: Uint8Array, at: number): number {
  const [len, p] = leb(b, at);
  return p + len;
}

/** Skip limits (flags, minimum, and a maximum when flag bit 0 is set). */
function skipLimits(b: Uint8Array, at: number): number {
  const flags = b[at]!;
  let p = leb(b, at + 1)[1];
  if (flags & 1) p = leb(b, p)[1];
  return p;
}

/**
 * A copy of `module` whose imported memories are declared unshared (limits flag bit 1 cleared).
 * @throws Error when the module imports no memory (a build that changed shape).
 */
export function withUnsharedMemory(module: Uint8Array): Uint8Array {
  const out = module.slice();
  let p = 8;
  let patched = 0;
  while (p < out.length) {
    const id = out[p]!;
    const [size, body] = leb(out, p + 1);
    if (id === 2) {
      let [count, q] = leb(out, body);
      for (; count > 0; count--) {
        q = skipName(out, skipName(out, q));
        const kind = out[q++]!;
        if (kind === 0) q = leb(out, q)[1];
        else if (kind === 1) q = skipLimits(out, q + 1);
        else if (kind === 2) {
          out[q] = out[q]! & ~2;
          patched++;
          q = skipLimits(out, q);
        } else if (kind === 3) q += 2;
        else throw new Error(`cpu backend: unexpected import kind ${kind} in the kernel module`);
      }
    }
    p = body + size;
  }
  if (patched === 0) throw new Error("cpu backend: the kernel module imports no memory");
  return out;
}
