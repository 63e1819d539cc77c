/**
 * Gradient clipping by global norm: scale a list of tensors so the norm of all of them
 * together is at most `clipNorm`; a list whose norm is already within it is returned as is.
 */
import { maximum, mul, sqrt, square, div, add } from "../api/elementwise.js";
import { sum } from "../api/reduce.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError } from "../errors.js";
import { Tensor } from "../tensor.js";

/**
 * Returns `[clipped, globalNorm]`: t * clipNorm / max(globalNorm, clipNorm) for each t, where
 * globalNorm = sqrt(sum of all squared elements). Inputs are not disposed. Nulls pass through.
 * @example const [[g1, g2], norm] = clipByGlobalNorm([a, b], 5);
 */
export function clipByGlobalNorm<T extends Tensor | null>(tensors: readonly T[], clipNorm: number): [T[], Tensor] {
  if (!(clipNorm > 0)) throw new InvalidArgumentError(`clipByGlobalNorm: clipNorm must be > 0, got ${clipNorm}`);
  if (!Array.isArray(tensors)) throw new InvalidArgumentError("clipByGlobalNorm: expects an array of tensors");
  for (const t of tensors) if (t !== null && !(t instanceof Tensor)) throw new InvalidArgumentError("clipByGlobalNorm: expects tensors (or null)");
  return tidy(() => {
    const present = tensors.filter((t): t is NonNullable<T> => t !== null) as Tensor[];
    let total: Tensor = sum(square(present[0] ?? 0));
    for (const t of present.slice(1)) total = add(total, sum(square(t)));
    const norm = sqrt(total);
    const scale = div(clipNorm, maximum(norm, clipNorm));
    const clipped = tensors.map((t) => (t === null ? null : mul(t as Tensor, scale))) as T[];
    return [clipped, norm] as [T[], Tensor];
  });
}
