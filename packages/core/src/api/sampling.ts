/**
 * Sampling from categorical distributions (TF.js' `multinomial`). Where the logits can be read
 * synchronously, probabilities are computed on the host in float64; on other devices and inside
 * `compile` the sampling runs on the device (sampling-device.ts). Draws come from the seeded
 * counter-based generator either way. Not differentiable (the result is int32 ids).
 */
import { tensorFromHost, toTensor } from "../engine/dispatch.js";
import { isFloat } from "../dtype.js";
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { streamFor } from "./random.js";
import { multinomialOnDevice } from "./sampling-device.js";
import { engine } from "../engine/engine.js";

/**
 * Draw `numSamples` category ids per row of `logits` ([categories] or [batch, categories]),
 * with probabilities softmax(logits), or `logits` itself when `normalized` is true. Returns
 * int32 [numSamples] or [batch, numSamples]. Where `logits` can be read synchronously the rows
 * are checked (no NaN or negative probability, a positive total) and sampled on the host in
 * float64; on a device without synchronous reads (webgpu) and inside `compile` they are sampled
 * on the device in their dtype, unchecked (the ids can then differ from the host's where a draw
 * falls within rounding of a category boundary).
 * @example multinomial([0, 0, Math.log(2)], 4, 42) // four ids in {0, 1, 2}, 2 twice as likely as 0 or 1
 */
export function multinomial(logits: TensorLike, numSamples: number, seed?: number, normalized = false): Tensor {
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new InvalidArgumentError(`multinomial: numSamples must be an integer >= 1, got ${numSamples}`);
  const t = toTensor(logits, "multinomial", "float32");
  try {
    if (!isFloat(t.dtype)) throw new DTypeError(`multinomial: logits must be float, got ${t.describe()}`);
    if (t.rank !== 1 && t.rank !== 2) throw new ShapeError(`multinomial: logits must be [categories] or [batch, categories], got ${t.describe()}`);
    const k = t.shape[t.rank - 1]!;
    const batch = t.rank === 2 ? t.shape[0]! : 1;
    if (k < 1) throw new ShapeError(`multinomial: logits need at least one category, got ${t.describe()}`);
    const storage = t._storage;
    if (storage === null || !storage.backend.capabilities.syncRead || engine.compiling !== null) {
      if (seed !== undefined && !Number.isFinite(seed)) throw new InvalidArgumentError(`multinomial: seed must be a finite number, got ${seed}`);
      return multinomialOnDevice(t, numSamples, seed, normalized);
    }
    const values = t.dataSync();
    const u = streamFor(seed);
    const out = new Int32Array(batch * numSamples);
    const cdf = new Float64Array(k);
    for (let b = 0; b < batch; b++) {
      const row = b * k;
      let max = -Infinity;
      if (!normalized) for (let j = 0; j < k; j++) max = Math.max(max, Number(values[row + j]));
      let total = 0;
      for (let j = 0; j < k; j++) {
        const v = Number(values[row + j]);
        const p = normalized ? v : Math.exp(v - max);
        if (!(p >= 0)) throw new InvalidArgumentError(`multinomial: row ${b} has ${normalized ? "a negative or NaN probability" : "a NaN logit"} at category ${j}`);
        total += p;
        cdf[j] = total;
      }
      if (!(total > 0) || !Number.isFinite(total)) throw new InvalidArgumentError(`multinomial: row ${b} has no positive, finite total probability`);
      for (let s = 0; s < numSamples; s++) {
        const target = u() * total;
        // Binary search for the first category whose cumulative sum exceeds the draw.
        let lo = 0;
        let hi = k - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! > target) hi = mid;
          else lo = mid + 1;
        }
        out[b * numSamples + s] = lo;
      }
    }
    return tensorFromHost(out, t.rank === 2 ? [batch, numSamples] : [numSamples], "int32");
  } finally {
    if (t !== logits) t.dispose();
  }
}
