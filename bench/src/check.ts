/**
 * The correctness check run once per case and engine before timing: relative max error
 * of a result against the expected value. A wrong result fails the row; it is never timed.
 */

/** max |got - want| / max(1, max |want|, scale); Infinity on a length mismatch or a NaN. */
export function relativeError(got: Float32Array | number, want: Float32Array | number, minScale = 1): number {
  let scale = Math.max(1, minScale);
  const g = typeof got === "number" ? [got] : got;
  const w = typeof want === "number" ? [want] : want;
  if (g.length !== w.length) return Infinity;
  let maxErr = 0;
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(g[i]! - w[i]!);
    if (!(d <= maxErr)) maxErr = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(w[i]!));
  }
  return maxErr / scale;
}
