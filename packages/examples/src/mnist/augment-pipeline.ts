/**
 * The `--augment` pipeline: shuffled batches cut on the host (cheap on the main thread) go
 * through `augmentBatch` in a worker pool (`Dataset.map(..., { parallel: workers })`); and a
 * throughput probe that times the pipeline alone (no training) in examples per second.
 */
import { data, tensor, type Tensor } from "@eager/core";
import type { MnistSplit } from "./data.js";

/** The augmentation function as the pool's workers import it. */
export const AUGMENT = { module: new URL("./augment.mjs", import.meta.url), export: "augmentBatch" } as const;

/** Batches of [images, labels] in a seeded random order, gathered on the host. */
export function hostBatches(s: MnistSplit, batchSize: number, seed: number, count = s.count): data.Dataset<[Tensor, Tensor]> {
  return data.Dataset.fromGenerator(function* () {
    const order = Int32Array.from({ length: count }, (_, i) => i);
    let r = seed >>> 0 || 1;
    for (let i = count - 1; i > 0; i--) {
      r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
      const j = r % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b = 0; b < count; b += batchSize) {
      const n = Math.min(batchSize, count - b);
      const x = new Float32Array(n * 784);
      const y = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        const i = order[b + k]!;
        x.set(s.images.subarray(i * 784, (i + 1) * 784), k * 784);
        y[k] = s.labels[i]!;
      }
      yield [tensor(x, [n, 784], "float32"), tensor(y, [n], "int32")] as [Tensor, Tensor];
    }
  });
}

/** Shuffled batches of `s`, each augmented in a pool of `workers` workers. */
export function augmentedBatches(s: MnistSplit, batchSize: number, seed: number, workers: number, count = s.count): data.Dataset<[Tensor, Tensor]> {
  return hostBatches(s, batchSize, seed, count).map<[Tensor, Tensor]>(AUGMENT, { parallel: workers }).prefetch(2);
}

/**
 * Examples per second of shuffled host batches + augment over the first `count` training images,
 * with `workers` workers (pool start-up included: one warm-up batch is excluded).
 */
export async function augmentThroughput(s: MnistSplit, workers: number, o: { count: number; batchSize: number }): Promise<number> {
  const ds = augmentedBatches(s, o.batchSize, 5, workers, Math.min(o.count, s.count));
  let start = 0;
  let seen = 0;
  for await (const [x, y] of ds) {
    if (start === 0) start = performance.now();
    else seen += x.shape[0]!;
    x.dispose();
    y.dispose();
  }
  return seen / ((performance.now() - start) / 1000);
}
