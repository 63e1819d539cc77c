/** The --augment pipeline: the image transform's geometry, and augmented batches from the worker pool keeping labels and order. */
import { describe, expect, it } from "vitest";
import { data } from "@eager/core";
import { augmentBatch, transformImage } from "../src/mnist/augment.mjs";
import { augmentedBatches } from "../src/mnist/augment-pipeline.js";
import type { MnistSplit } from "../src/mnist/data.js";

const dot = (x: number, y: number) => {
  const img = new Float32Array(784);
  img[y * 28 + x] = 1;
  return img;
};

describe("MNIST augmentation", () => {
  it("a zero transform is the identity; a shift moves a pixel; a quarter turn rotates about the centre", () => {
    const src = Float32Array.from({ length: 784 }, (_, i) => (i % 7) / 7);
    const out = new Float32Array(784);
    transformImage(src, out, 0, 0, 0);
    expect(Array.from(out)).toEqual(Array.from(src));
    transformImage(dot(10, 12), out, 2, -1, 0);
    expect(out.indexOf(1)).toBe(11 * 28 + 12);
    transformImage(dot(20, 13), out, 0, 0, Math.PI / 2);
    // (20, 13) is 6.5 right and 0.5 up of the centre (13.5, 13.5); a quarter turn puts it 6.5 below: (14, 20).
    expect(out[20 * 28 + 14]).toBeCloseTo(1, 5);
  });

  it("augmentBatch keeps shapes and labels and changes the images", () => {
    const images = { data: Float32Array.from({ length: 3 * 784 }, (_, i) => ((i * 37) % 255) / 255), shape: [3, 784], dtype: "float32" as const };
    const labels = { data: new Int32Array([7, 1, 4]), shape: [3], dtype: "int32" as const };
    const [x, y] = augmentBatch([images, labels]);
    expect(x.shape).toEqual([3, 784]);
    expect(x.data.length).toBe(3 * 784);
    expect(Array.from(y.data)).toEqual([7, 1, 4]);
    expect(Array.from(x.data)).not.toEqual(Array.from(images.data));
  });

  it("augmented batches come from the pool in order, with every label once", async () => {
    const n = 100;
    const split: MnistSplit = { images: Float32Array.from({ length: n * 784 }, (_, i) => (i % 784 === 400 ? 1 : 0)), labels: Int32Array.from({ length: n }, (_, i) => i), count: n };
    const seen: number[] = [];
    for await (const [x, y] of augmentedBatches(split, 32, 3, 2)) {
      expect(x.shape[1]).toBe(784);
      seen.push(...(Array.from(await y.data()) as number[]));
      x.dispose();
      y.dispose();
    }
    expect(seen.length).toBe(n);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(data.openMapPools()).toBe(0);
  });
});
