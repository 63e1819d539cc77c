/** Datasets: sources, transformations, order, seeded shuffling, batching edge cases, and who owns the tensors a dataset yields. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { data } from "@eager/core";

const { Dataset } = data;
/** Numbers of scalar or 1-D tensor elements, disposing them. */
async function collect(ds: AsyncIterable<tf.Tensor>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const t of ds) {
    out.push(Array.from(t.dataSync() as ArrayLike<number>));
    t.dispose();
  }
  return out;
}

describe("Dataset sources", () => {
  it("fromTensorSlices slices a tensor, an array of tensors and an object of tensors", async () => {
    expect(await collect(Dataset.fromTensorSlices(tf.tensor([[1, 2], [3, 4], [5, 6]])))).toEqual([[1, 2], [3, 4], [5, 6]]);
    const pairs: [number, number][] = [];
    for await (const [x, y] of Dataset.fromTensorSlices([tf.tensor([1, 2]), tf.tensor([10, 20], [2], "int32")])) {
      expect(y.dtype).toBe("int32");
      expect(x.shape).toEqual([]);
      pairs.push([x.item() as number, y.item() as number]);
    }
    expect(pairs).toEqual([[1, 10], [2, 20]]);
    const dict = await Dataset.fromTensorSlices({ a: tf.tensor([1, 2]), b: tf.tensor([[1], [2]]) }).toArray();
    expect(dict.map((d) => [d.a.item(), d.b.shape])).toEqual([[1, [1]], [2, [1]]]);
    expect(() => Dataset.fromTensorSlices([tf.tensor([1, 2]), tf.tensor([1])])).toThrow(tf.ShapeError);
    expect(() => Dataset.fromTensorSlices(tf.scalar(1))).toThrow(tf.ShapeError);
  });
  it("fromGenerator (sync and async) and range", async () => {
    // Plain numbers come out as tensors, which the Dataset<number> type does not say.
    expect(await collect(Dataset.fromGenerator(function* () { yield 1; yield 2; }) as unknown as AsyncIterable<tf.Tensor>)).toEqual([[1], [2]]);
    expect(await collect(Dataset.fromGenerator(async function* () { yield tf.tensor([7, 8]); }))).toEqual([[7, 8]]);
    expect(await collect(Dataset.range(3))).toEqual([[0], [1], [2]]);
    expect(await collect(Dataset.range(5, 1, -2))).toEqual([[5], [3]]);
    expect(await collect(Dataset.range(0))).toEqual([]);
    await expect(Dataset.fromGenerator(function* () { yield "x"; }).toArray()).rejects.toThrow(tf.InvalidArgumentError);
  });
  it("an empty dataset yields nothing through every transformation", async () => {
    const empty = Dataset.fromTensorSlices(tf.zeros([0, 3]));
    expect(await collect(empty.shuffle(4, { seed: 1 }).batch(2).repeat(3).skip(1).take(5).prefetch(2))).toEqual([]);
  });
});

describe("Dataset transformations", () => {
  it("map and filter", async () => {
    const ds = Dataset.range(6).map((x) => tf.mul(x, 10)).filter((x) => tf.greater(x, 20));
    expect(await collect(ds)).toEqual([[30], [40], [50]]);
    expect(await collect(Dataset.range(4).filter(async (x) => (x.item() as number) % 2 === 0))).toEqual([[0], [2]]);
  });
  it("batch keeps order, keeps or drops the remainder, and stacks structures", async () => {
    expect(await collect(Dataset.range(5).batch(2))).toEqual([[0, 1], [2, 3], [4]]);
    expect(await collect(Dataset.range(5).batch(2, { dropRemainder: true }))).toEqual([[0, 1], [2, 3]]);
    const b = await Dataset.fromTensorSlices([tf.tensor([[1, 2], [3, 4], [5, 6]]), tf.tensor([0, 1, 2], [3], "int32")]).batch(2).toArray();
    expect(b[0]![0].shape).toEqual([2, 2]);
    expect(b[0]![1].arraySync()).toEqual([0, 1]);
    expect(b[1]![0].arraySync()).toEqual([[5, 6]]);
    await expect(Dataset.fromGenerator(function* () { yield tf.zeros([2]); yield tf.zeros([3]); }).batch(2).toArray()).rejects.toThrow(tf.ShapeError);
  });
  it("shuffle is a permutation, repeats exactly with a seed and reshuffles each epoch", async () => {
    const ds = Dataset.range(20).shuffle(20, { seed: 5 });
    const a = (await collect(ds)).flat();
    const b = (await collect(ds)).flat();
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(20).keys()]);
    expect(a).not.toEqual([...Array(20).keys()]);
    expect(b).not.toEqual(a);
    const again = Dataset.range(20).shuffle(20, { seed: 5 });
    expect((await collect(again)).flat()).toEqual(a);
    expect((await collect(again)).flat()).toEqual(b);
    const fixed = Dataset.range(20).shuffle(20, { seed: 5, reshuffleEachIteration: false });
    expect((await collect(fixed)).flat()).toEqual((await collect(fixed)).flat());
    // A buffer of 1 keeps the order.
    expect((await collect(Dataset.range(5).shuffle(1, { seed: 1 }))).flat()).toEqual([0, 1, 2, 3, 4]);
  });
  it("repeat, take, skip, prefetch and zip", async () => {
    expect((await collect(Dataset.range(3).repeat(2))).flat()).toEqual([0, 1, 2, 0, 1, 2]);
    expect((await collect(Dataset.range(3).repeat().take(7))).flat()).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect((await collect(Dataset.range(5).skip(3))).flat()).toEqual([3, 4]);
    expect((await collect(Dataset.range(5).skip(9))).flat()).toEqual([]);
    expect((await collect(Dataset.range(5).prefetch(3))).flat()).toEqual([0, 1, 2, 3, 4]);
    const z = await Dataset.range(3).zip(Dataset.range(10, 12)).toArray();
    expect(z.map(([a, b]) => [a.item(), b.item()])).toEqual([[0, 10], [1, 11]]);
    expect(() => Dataset.range(3).batch(0)).toThrow(tf.InvalidArgumentError);
    expect(() => Dataset.range(3).take(-1)).toThrow(tf.InvalidArgumentError);
  });
  it("iterator().next() works as in the original example", async () => {
    const it = Dataset.range(2).iterator();
    const first = await it.next();
    expect((first.value as tf.Tensor).item()).toBe(0);
    expect((await it.next()).done).toBe(false);
    expect((await it.next()).done).toBe(true);
  });
});

describe("Dataset ownership", () => {
  it("the consumer owns yielded tensors; everything the pipeline consumed is freed", async () => {
    const xs = tf.randomUniform([50, 4], 0, 1, "float32", 1);
    const ys = tf.tensor(Array.from({ length: 50 }, (_, i) => i), [50], "int32");
    const ds = Dataset.fromTensorSlices([xs, ys]).map(([x, y]) => [tf.mul(x, 2), y] as [tf.Tensor, tf.Tensor]).filter(([, y]) => (y.item() as number) % 5 !== 0).shuffle(8, { seed: 3 }).batch(4).prefetch(2);
    const before = tf.memory().numTensors;
    let rows = 0;
    for await (const [x, y] of ds) {
      rows += x.shape[0]!;
      x.dispose();
      y.dispose();
    }
    expect(rows).toBe(40);
    expect(tf.memory().numTensors).toBe(before);
    // Stopping early frees what the shuffle buffer and prefetch held.
    for await (const [x, y] of ds) {
      x.dispose();
      y.dispose();
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
    // Iterating inside tidy frees the batches too.
    await tf.tidy(async () => {
      for await (const [x] of ds) void x;
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(xs.isDisposed).toBe(false);
  });
});
