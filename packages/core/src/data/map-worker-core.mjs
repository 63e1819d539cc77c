/**
 * The worker side of `Dataset.map(fn, { parallel })`, shared by the Node (piscina) and the
 * browser (comlink) worker entries: resolve a sent function (a module URL and export name,
 * or self-contained source text) once per worker, then apply it to one host element.
 */
const cache = new Map();

async function resolve(fn) {
  const key = fn.kind === "module" ? `module:${fn.module}#${fn.export}` : `source:${fn.source}`;
  let f = cache.get(key);
  if (f) return f;
  if (fn.kind === "module") {
    const mod = await import(/* webpackIgnore: true */ /* @vite-ignore */ fn.module);
    f = mod[fn.export];
    if (typeof f !== "function") throw new TypeError(`${fn.module} has no function export named "${fn.export}"`);
  } else {
    f = new Function(`"use strict"; return (${fn.source}\n);`)();
  }
  cache.set(key, f);
  return f;
}

/** Apply the sent function to `element` (host tensors); resolves to its (host) result. */
export async function runMapTask({ fn, element }) {
  const f = await resolve(fn);
  return await f(element);
}
