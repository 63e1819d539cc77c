/**
 * Whether this environment can run the pool: SharedArrayBuffer, cross-origin isolation in
 * browsers, and shared WebAssembly memory. Without them the backend runs single-threaded
 * and says why once.
 */

/** The verdict: threads possible, or the reason they are not. */
export type ThreadingSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Check for SharedArrayBuffer, cross-origin isolation and shared wasm memory. */
export function threadingSupport(): ThreadingSupport {
  if (typeof SharedArrayBuffer === "undefined") return { ok: false, reason: "SharedArrayBuffer is not available" };
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false)
    return { ok: false, reason: "the page is not cross-origin isolated (crossOriginIsolated is false)" };
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch (e) {
    return { ok: false, reason: `shared WebAssembly memory is unavailable (${(e as Error).message})` };
  }
  return { ok: true };
}

let warned = false;

/** Warn once per process that the backend runs on one thread, with the reason and the fix. */
export function warnSingleThreaded(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `@eager/backend-cpu: running single-threaded because ${reason}. ` +
      "To use threads in a browser, serve the page with the headers " +
      "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' (or credentialless).",
  );
}
