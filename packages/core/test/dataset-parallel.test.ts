/** Dataset.map(fn, { parallel }) in Node (piscina): results, order, errors with indices, closures refused clearly, and the pool closed whenever iteration stops. */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { data, InvalidArgumentError } from "@eager/core";

const { Dataset, DatasetMapError, openMapPools } = data;
const fns = new URL("./fixtures/map-fns.mjs", import.meta.url);
const values = (t: tf.Tensor) => Array.from(t.dataSync() as ArrayLike<number>);

afterEach(() => expect(openMapPools()).toBe(0));

describe("Dataset.map with { parallel } in Node", () => {
  it("applies a module function on 2 workers, keeping order, and leaks no tensor", async () => {
    const before = tf.memory().numTensors;
    const xs = tf.tensor(Array.from({ length: 20 }, (_, i) => [i, -i]), [20, 2]);
    const out: number[][] = [];
    for await (const t of Dataset.fromTensorSlices(xs).map({ module: fns, export: "double" }, { parallel: 2 })) {
      out.push(values(t));
      t.dispose();
    }
    xs.dispose();
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => [2 * i, -2 * i]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("yields in source order when later elements finish first", async () => {
    const ds = Dataset.range(8).map({ module: fns.href, export: "slowForSmall" }, { parallel: 2 });
    const got = (await ds.toArray()).map((t) => {
      const v = values(t)[0];
      t.dispose();
      return v;
    });
    expect(got).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it("sends a self-contained function as source and runs it off the main thread", async () => {
    const xs = tf.tensor([1, 2, 3, 4], [4]);
    const labels = tf.tensor([0, 1, 0, 1], [4], "int32");
    const ds = Dataset.fromTensorSlices([xs, labels] as [tf.Tensor, tf.Tensor]).map(
      ([x, y]) => {
        const wt = (globalThis as { process: { getBuiltinModule(id: string): { threadId: number } } }).process.getBuiltinModule("node:worker_threads");
        return [{ data: x.data.map((v) => v + 0.5), shape: x.shape, dtype: x.dtype }, y, { data: new Int32Array([wt.threadId]), shape: [] }];
      },
      { parallel: 2 },
    );
    const rows: number[][] = [];
    const threads = new Set<number>();
    for await (const [x, y, thread] of ds as unknown as AsyncIterable<[tf.Tensor, tf.Tensor, tf.Tensor]>) {
      expect(y.dtype).toBe("int32");
      rows.push([values(x)[0]!, values(y)[0]!]);
      threads.add(values(thread)[0]!);
      for (const t of [x, y, thread]) t.dispose();
    }
    xs.dispose();
    labels.dispose();
    expect(rows).toEqual([[1.5, 0], [2.5, 1], [3.5, 0], [4.5, 1]]);
    expect(threads.has(0)).toBe(false);
  });

  it("a function that uses a variable from around it fails with the element index and says why", async () => {
    const scale = 3;
    const ds = Dataset.range(4).map((x) => ({ data: x.data.map((v) => v * scale), shape: x.shape }), { parallel: 1 });
    const err = await ds.toArray().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatasetMapError);
    expect((err as InstanceType<typeof DatasetMapError>).index).toBe(0);
    expect((err as Error).message).toMatch(/element 0 failed: ReferenceError: scale is not defined/);
    expect((err as Error).message).toMatch(/cannot see variables or imports/);
  });

  it("refuses functions whose source cannot be sent, before any worker starts", () => {
    const obj = { f(x: unknown) { return x; } };
    expect(() => Dataset.range(2).map(obj.f, { parallel: 2 })).toThrow(InvalidArgumentError);
    expect(() => Dataset.range(2).map(obj.f, { parallel: 2 })).toThrow(/not a function expression/);
    expect(() => Dataset.range(2).map(((x: unknown) => x).bind(null), { parallel: 2 })).toThrow(/native or bound/);
    expect(() => Dataset.range(2).map({ module: "./relative.js", export: "f" }, { parallel: 2 })).toThrow(/not an absolute URL/);
    expect(() => Dataset.range(2).map((x) => x, { parallel: 0 })).toThrow(/parallel must be an integer >= 1/);
    expect(openMapPools()).toBe(0);
  });

  it("an error thrown by the function carries the element index and its cause", async () => {
    const seen: number[] = [];
    let err: unknown = null;
    try {
      for await (const t of Dataset.range(6).map({ module: fns, export: "failOnThree" }, { parallel: 2 })) {
        seen.push(values(t)[0]!);
        t.dispose();
      }
    } catch (e) {
      err = e;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(err).toBeInstanceOf(DatasetMapError);
    expect((err as InstanceType<typeof DatasetMapError>).index).toBe(3);
    expect((err as Error).message).toMatch(/element 3 failed: RangeError: three is not allowed/);
    expect(openMapPools()).toBe(0);
  });

  it("closes the pool on break, on a throw in the loop, and on return()", async () => {
    const ds = Dataset.range(50).map({ module: fns, export: "double" }, { parallel: 2 });
    for await (const t of ds) {
      t.dispose();
      expect(openMapPools()).toBe(1);
      break;
    }
    expect(openMapPools()).toBe(0);
    await expect(
      (async () => {
        for await (const t of ds) {
          t.dispose();
          throw new Error("stop here");
        }
      })(),
    ).rejects.toThrow("stop here");
    expect(openMapPools()).toBe(0);
    const it = ds.iterator();
    const first = await it.next();
    (first.value as tf.Tensor).dispose();
    expect(openMapPools()).toBe(1);
    await it.return?.();
    expect(openMapPools()).toBe(0);
  });
});
