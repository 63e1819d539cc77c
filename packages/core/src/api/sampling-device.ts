/**
 * `multinomial` on the device, from required ops only: cumulative sums of the probabilities and,
 * per draw, a count of the categories whose cumulative sum is at most the uniform draw times the
 * row total. No value is read on the host, so it runs on devices without synchronous reads and
 * inside `compile` (where the uniform draws are redrawn at every call).
 */
import { cast, exp, lessEqual, minimum, mul, sub } from "./elementwise.js";
import { reshape, slice } from "./movement.js";
import { cumsum, max, sum } from "./reduce.js";
import { randomUniform } from "./random.js";
import type { Tensor } from "../tensor.js";

/**
 * Draw `numSamples` ids per row of float `logits` ([k] or [batch, k]) on their device. Rows are
 * not validated (a row with no positive finite total gives arbitrary ids in [0, k)).
 */
export function multinomialOnDevice(logits: Tensor, numSamples: number, seed: number | undefined, normalized: boolean): Tensor {
  const k = logits.shape[logits.rank - 1]!;
  const batch = logits.rank === 2 ? logits.shape[0]! : 1;
  const temps: Tensor[] = [];
  const temp = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    const rows = logits.rank === 2 ? logits : temp(reshape(logits, [1, k]));
    // p = softmax numerators exp(x - max x) (or the given probabilities); cdf along each row.
    const p = normalized ? rows : temp(exp(temp(sub(rows, temp(max(rows, 1, true))))));
    const cdf = temp(cumsum(p, 1));
    const total = temp(slice(cdf, [0, k - 1], [batch, 1]));
    const target = temp(mul(temp(randomUniform([batch, numSamples], 0, 1, p.dtype, seed)), total));
    // The id is the first category whose cumulative sum exceeds the target: the count of those that do not.
    const below = temp(lessEqual(temp(reshape(cdf, [batch, 1, k])), temp(reshape(target, [batch, numSamples, 1]))));
    const count = temp(sum(temp(cast(below, "int32")), 2));
    const ids = minimum(count, k - 1);
    if (logits.rank === 2) return ids;
    temps.push(ids);
    return reshape(ids, [numSamples]);
  } finally {
    for (const t of temps) t.dispose();
  }
}
