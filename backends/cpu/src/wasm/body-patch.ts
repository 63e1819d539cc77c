/**
 * The plain-SIMD kernel module stored as a patch of the relaxed-SIMD one: the few function
 * bodies that differ (the matmul kernels) and nothing else, so the package carries one full
 * module. The build makes the patch (checking it reproduces the module exactly); the backend
 * applies it when the engine has no relaxed SIMD.
 */
import { ByteWriter } from "./asm/writer.js";
import { leb } from "./bytes.js";

/** A module split around its code section: the bytes before and after, and each function body. */
function codeBodies(m: Uint8Array): { before: Uint8Array; after: Uint8Array; bodies: Uint8Array[] } {
  let p = 8;
  while (p < m.length) {
    const id = m[p]!;
    const [size, start] = leb(m, p + 1);
    if (id === 10) {
      let [count, q] = leb(m, start);
      const bodies: Uint8Array[] = [];
      for (; count > 0; count--) {
        const [n, s] = leb(m, q);
        bodies.push(m.subarray(s, s + n));
        q = s + n;
      }
      return { before: m.subarray(0, p), after: m.subarray(start + size), bodies };
    }
    p = start + size;
  }
  throw new Error("cpu backend: the kernel module has no code section");
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The patch turning `base` into `target`: [count, then (function index, length, body) each].
 * @throws Error when the modules differ anywhere but in function bodies.
 */
export function bodyPatch(base: Uint8Array, target: Uint8Array): Uint8Array {
  const a = codeBodies(base);
  const b = codeBodies(target);
  if (a.bodies.length !== b.bodies.length || !same(a.before, b.before) || !same(a.after, b.after)) throw new Error("cpu backend: the kernel variants differ beyond function bodies");
  const changed = b.bodies.map((_, i) => i).filter((i) => !same(a.bodies[i]!, b.bodies[i]!));
  const w = new ByteWriter();
  w.u32(changed.length);
  for (const i of changed) {
    w.u32(i);
    w.u32(b.bodies[i]!.length);
    w.bytes(b.bodies[i]!);
  }
  return w.finish();
}

/** `base` with the function bodies of `patch` in place (sizes re-encoded as minimal LEB128). */
export function applyBodyPatch(base: Uint8Array, patch: Uint8Array): Uint8Array {
  const { before, after, bodies } = codeBodies(base);
  let [count, p] = leb(patch, 0);
  for (; count > 0; count--) {
    const [i, q] = leb(patch, p);
    const [n, r] = leb(patch, q);
    if (i >= bodies.length) throw new Error(`cpu backend: the kernel patch names function ${i} of ${bodies.length}`);
    bodies[i] = patch.subarray(r, r + n);
    p = r + n;
  }
  const code = new ByteWriter();
  code.u32(bodies.length);
  for (const b of bodies) {
    code.u32(b.length);
    code.bytes(b);
  }
  const c = code.finish();
  const out = new ByteWriter();
  out.bytes(before);
  out.byte(10);
  out.u32(c.length);
  out.bytes(c);
  out.bytes(after);
  return out.finish();
}
