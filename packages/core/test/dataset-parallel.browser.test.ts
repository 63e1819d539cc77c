/** Dataset.map(fn, { parallel }) in a browser: comlink-driven module Web Workers, order kept, errors with indices, the pool closed when iteration stops. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { data } from "@eager/core";

const { Dataset, DatasetMapError, openMapPools } = data;
const fns = new URL("./fixtures/map-fns.mjs", import.meta.url);
const values = (t: tf.Tensor) => Array.from(t.dataSync() as ArrayLike<number>);

describe("Dataset.map with { parallel } in a browser", () => {
  it("runs module and source functions in Web Workers, in order", async () => {
    const xs = tf.tensor(Array.from({ length: 12 }, (_, i) => i), [12]);
    const out: number[] = [];
    for await (const t of Dataset.fromTensorSlices(xs).map({ module: fns, export: "double" }, { parallel: 2 })) {
      out.push(values(t)[0]!);
      t.dispose();
    }
    expect(out).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i));
    const slow = await Dataset.range(6).map({ module: fns, export: "slowForSmall" }, { parallel: 2 }).toArray();
    expect(slow.map((t) => values(t)[0])).toEqual([0, 10, 20, 30, 40, 50]);
    const inWorker = await Dataset.range(3)
      .map((x) => ({ data: new Float32Array([x.data[0]! + (typeof (globalThis as { document?: unknown }).document === "undefined" ? 100 : 0)]), shape: [] }), { parallel: 2 })
      .toArray();
    expect(inWorker.map((t) => values(t)[0])).toEqual([100, 101, 102]);
    for (const t of [...slow, ...inWorker]) t.dispose();
    xs.dispose();
    expect(openMapPools()).toBe(0);
  });

  it("reports the failing element's index and closes the pool on break", async () => {
    const err = await Dataset.range(6)
      .map({ module: fns, export: "failOnThree" }, { parallel: 2 })
      .toArray()
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetMapError);
    expect((err as InstanceType<typeof DatasetMapError>).index).toBe(3);
    expect((err as Error).message).toMatch(/three is not allowed/);
    expect(openMapPools()).toBe(0);
    for await (const t of Dataset.range(40).map({ module: fns, export: "double" }, { parallel: 2 })) {
      t.dispose();
      expect(openMapPools()).toBe(1);
      break;
    }
    expect(openMapPools()).toBe(0);
  });
});
