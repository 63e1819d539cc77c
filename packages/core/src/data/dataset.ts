/**
 * Dataset: an input pipeline iterated with `for await`. Sources (tensor slices, generators,
 * ranges) feed transformations (map, filter, shuffle, batch, repeat, take, skip, prefetch,
 * zip). Ownership: every tensor a dataset yields belongs to the consumer, who disposes it
 * (or iterates inside `tidy`); tensors a transformation consumes (batched, filtered out,
 * skipped, replaced by map) are disposed by the dataset. Source tensors are never disposed.
 */
import { tensorFromHost } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { uniformStream } from "../api/random.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { disposeExcept, leaves, normalizeElement, rebuild, stackStructures, type Structure } from "./structure.js";
import type { HostOf } from "./host.js";
import { parallelMap, sendableFunction, type ModuleFunction, type ParallelMapOptions } from "./parallel.js";

type Source<T> = () => AsyncIterator<T>;
type Sliced<S> = S extends Tensor ? Tensor : { [K in keyof S]: Tensor };

function count(n: unknown, what: string, allowZero = true): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new InvalidArgumentError(`${what} must be an integer >= ${allowZero ? 0 : 1}, got ${String(n)}`);
  return n;
}

/**
 * A sequence of elements (tensors, or arrays/objects of tensors), iterated asynchronously.
 * @example
 * const ds = Dataset.fromTensorSlices([images, labels]).shuffle(10000, { seed: 1 }).batch(32);
 * for await (const [x, y] of ds) { ...; x.dispose(); y.dispose(); }
 */
export class Dataset<T> implements AsyncIterable<T> {
  private constructor(private readonly source: Source<T>) {}

  /** A dataset from an async iterator factory (each iteration calls it anew). */
  static fromIteratorFactory<T>(make: () => AsyncIterator<T>): Dataset<T> {
    return new Dataset(make);
  }

  /**
   * Slices along the first axis of a tensor, an array of tensors ([x_i, y_i]) or an object of
   * tensors ({ image: x_i, label: y_i }). All must share the first dimension.
   * @example Dataset.fromTensorSlices(tensor([[1, 2], [3, 4]])) // yields [1, 2], then [3, 4]
   */
  static fromTensorSlices<S extends Tensor | readonly Tensor[] | { readonly [k: string]: Tensor }>(source: S): Dataset<Sliced<S>> {
    const parts = leaves(source);
    if (parts.length === 0 || (!(source instanceof Tensor) && parts.length !== (Array.isArray(source) ? source.length : Object.keys(source).length)))
      throw new InvalidArgumentError("Dataset.fromTensorSlices: expects a tensor, an array of tensors or an object of tensors");
    const n = parts[0]!.rank > 0 ? parts[0]!.shape[0]! : -1;
    for (const p of parts)
      if (p.rank === 0 || p.shape[0] !== n)
        throw new ShapeError(`Dataset.fromTensorSlices: every tensor needs the same first dimension; got ${parts.map((q) => q.describe()).join(", ")}`);
    return new Dataset<Sliced<S>>(async function* () {
      const host = await Promise.all(parts.map((p) => p.data()));
      for (let i = 0; i < n; i++) {
        const slices = parts.map((p, j) => {
          const size = p.size / n;
          return tensorFromHost(host[j]!.slice(i * size, (i + 1) * size), p.shape.slice(1), p.dtype);
        });
        yield rebuild(source, slices) as unknown as Sliced<S>;
      }
    });
  }

  /**
   * Elements from a generator function (sync or async), called anew for each iteration.
   * Numbers and booleans become scalar tensors.
   * @example Dataset.fromGenerator(function* () { yield [1, 2]; yield [3, 4]; })
   */
  static fromGenerator<T>(gen: () => Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T>): Dataset<T> {
    if (typeof gen !== "function") throw new InvalidArgumentError("Dataset.fromGenerator: expects a function returning an iterator");
    return new Dataset<T>(async function* () {
      const made = gen() as Iterator<T> & AsyncIterator<T> & Iterable<T> & AsyncIterable<T>;
      const it: Iterator<T> | AsyncIterator<T> =
        typeof made[Symbol.asyncIterator] === "function" ? made[Symbol.asyncIterator]() : typeof made[Symbol.iterator] === "function" && typeof made.next !== "function" ? made[Symbol.iterator]() : made;
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield normalizeElement(r.value, "Dataset.fromGenerator") as T;
        }
      } finally {
        await it.return?.();
      }
    });
  }

  /** Scalar int32 tensors start, start + step, ... below stop. @example Dataset.range(3) // 0, 1, 2 */
  static range(start: number, stop?: number, step = 1): Dataset<Tensor> {
    if (stop === undefined) [start, stop] = [0, start];
    if (![start, stop, step].every(Number.isInteger) || step === 0) throw new InvalidArgumentError(`Dataset.range: start, stop and step must be integers, step not 0`);
    const [a, b] = [start, stop];
    return new Dataset(async function* () {
      for (let v = a; step > 0 ? v < b : v > b; v += step) yield tensorFromHost(new Int32Array([v]), [], "int32");
    });
  }

  /** Datasets side by side: yields [a, b, ...] until the shortest ends. */
  static zip<U extends readonly Dataset<any>[]>(...datasets: U): Dataset<{ [K in keyof U]: U[K] extends Dataset<infer E> ? E : never }> {
    if (datasets.length === 0 || !datasets.every((d) => d instanceof Dataset)) throw new InvalidArgumentError("Dataset.zip: expects datasets");
    return new Dataset(async function* () {
      const its = datasets.map((d) => d.iterator());
      try {
        for (;;) {
          const rs = await Promise.all(its.map((it) => it.next()));
          if (rs.some((r) => r.done)) {
            for (const r of rs) if (!r.done) disposeExcept(r.value, null);
            return;
          }
          yield rs.map((r) => r.value) as never;
        }
      } finally {
        await Promise.all(its.map((it) => it.return?.()));
      }
    });
  }

  /** This dataset zipped with others: yields [this, ...others]. */
  zip<U extends readonly Dataset<any>[]>(...others: U): Dataset<[T, ...{ [K in keyof U]: U[K] extends Dataset<infer E> ? E : never }]> {
    return Dataset.zip(this, ...others) as never;
  }

  /** An iterator with `next()`, as in `const it = ds.iterator(); await it.next()`. */
  iterator(): AsyncIterator<T> {
    return this.source();
  }
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source();
  }

  private derive<U>(gen: (src: AsyncIterator<T>) => AsyncGenerator<U>): Dataset<U> {
    const source = this.source;
    return new Dataset<U>(async function* () {
      const src = source();
      try {
        yield* gen(src);
      } finally {
        await src.return?.();
      }
    });
  }

  /**
   * Apply `fn` to each element (it may be async). Tensors `fn` creates but does not return
   * are disposed, and so are input tensors it does not return.
   * @example ds.map(([x, y]) => [div(x, 255), y])
   *
   * With `{ parallel: n }`, a pure host-side function runs in a pool of n workers (piscina in
   * Node, Web Workers through comlink in browsers) on `{ data, shape, dtype }` records, and
   * returns such records; order is kept, a failure is a `DatasetMapError` with the element's
   * index, and the pool closes when iteration stops. The function is sent as
   * `{ module: <absolute URL>, export: <name> }` or as self-contained source (no closures).
   * @example ds.map({ module: new URL("./augment.js", import.meta.url), export: "augment" }, { parallel: 2 })
   */
  map<U>(fn: (x: T) => U | Promise<U>): Dataset<U>;
  map<U = T>(fn: ((x: HostOf<T>) => unknown) | ModuleFunction, options: ParallelMapOptions): Dataset<U>;
  map<U>(fn: ((x: T) => U | Promise<U>) | ((x: HostOf<T>) => unknown) | ModuleFunction, options?: ParallelMapOptions): Dataset<U> {
    if (options?.parallel !== undefined) {
      count(options.parallel, "Dataset.map: parallel", false);
      const sent = sendableFunction(fn);
      return this.derive((src) => parallelMap<U>(src, sent, options));
    }
    if (typeof fn !== "function") throw new InvalidArgumentError("Dataset.map: expects a function");
    return this.derive(async function* (src) {
      for (let r = await src.next(); !r.done; r = await src.next()) {
        const x = r.value;
        const y = (await tidy(async () => (await (fn as (x: T) => U | Promise<U>)(x)) as never)) as U;
        disposeExcept(x, y);
        yield y;
      }
    });
  }

  /** Keep elements for which `pred` is true (a boolean or a scalar tensor, disposed after). */
  filter(pred: (x: T) => boolean | Tensor | Promise<boolean | Tensor>): Dataset<T> {
    if (typeof pred !== "function") throw new InvalidArgumentError("Dataset.filter: expects a function");
    return this.derive(async function* (src) {
      for (let r = await src.next(); !r.done; r = await src.next()) {
        const p = await pred(r.value);
        let keep: boolean;
        if (p instanceof Tensor) {
          keep = (await p.data())[0] !== 0;
          if (!leaves(r.value).includes(p)) p.dispose();
        } else keep = Boolean(p);
        if (keep) yield r.value;
        else disposeExcept(r.value, null);
      }
    });
  }

  /**
   * Shuffle with a buffer of `bufferSize` elements (uniform when it holds the whole dataset).
   * With a seed the order repeats exactly; by default each iteration reshuffles differently.
   * @example ds.shuffle(60000, { seed: 42 })
   */
  shuffle(bufferSize: number, options: { seed?: number; reshuffleEachIteration?: boolean } = {}): Dataset<T> {
    count(bufferSize, "Dataset.shuffle: bufferSize", false);
    const base = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const reshuffle = options.reshuffleEachIteration ?? true;
    let epoch = 0;
    const source = this.source;
    return new Dataset<T>(async function* () {
      const rand = uniformStream((base + Math.imul(reshuffle ? epoch++ : 0, 0x9e3779b1)) >>> 0);
      const src = source();
      const buf: T[] = [];
      let r: IteratorResult<T> = { done: true, value: undefined };
      try {
        r = await src.next();
        for (; !r.done && buf.length < bufferSize; r = await src.next()) buf.push(r.value);
        while (buf.length) {
          const i = Math.floor(rand() * buf.length);
          const x = buf[i]!;
          if (!r.done) {
            buf[i] = r.value;
            r = await src.next();
          } else {
            buf[i] = buf[buf.length - 1]!;
            buf.pop();
          }
          yield x;
        }
      } finally {
        for (const x of buf) disposeExcept(x, null);
        if (!r.done) disposeExcept(r.value, null);
        await src.return?.();
      }
    });
  }

  /**
   * Stack `size` consecutive elements into one, with a new leading axis. The last batch may
   * be smaller unless `dropRemainder`.
   * @example Dataset.range(5).batch(2) // [0, 1], [2, 3], [4]
   */
  batch(size: number, options: { dropRemainder?: boolean } = {}): Dataset<T> {
    count(size, "Dataset.batch: size", false);
    return this.derive(async function* (src) {
      let group: T[] = [];
      try {
        for (let r = await src.next(); !r.done; r = await src.next()) {
          group.push(r.value);
          if (group.length === size) {
            const b = await stackStructures(group, "Dataset.batch");
            for (const g of group) disposeExcept(g, null);
            group = [];
            yield b;
          }
        }
        if (group.length && !options.dropRemainder) {
          const b = await stackStructures(group, "Dataset.batch");
          for (const g of group) disposeExcept(g, null);
          group = [];
          yield b;
        }
      } finally {
        for (const g of group) disposeExcept(g, null);
      }
    });
  }

  /** Iterate `times` times (forever when omitted). */
  repeat(times?: number): Dataset<T> {
    if (times !== undefined) count(times, "Dataset.repeat: times");
    const source = this.source;
    return new Dataset<T>(async function* () {
      for (let k = 0; times === undefined || k < times; k++) {
        const src = source();
        let any = false;
        try {
          for (let r = await src.next(); !r.done; r = await src.next()) {
            any = true;
            yield r.value;
          }
        } finally {
          await src.return?.();
        }
        if (!any) return;
      }
    });
  }

  /** The first `n` elements. */
  take(n: number): Dataset<T> {
    count(n, "Dataset.take: n");
    return this.derive(async function* (src) {
      for (let i = 0; i < n; i++) {
        const r = await src.next();
        if (r.done) return;
        yield r.value;
      }
    });
  }

  /** All but the first `n` elements (those are disposed). */
  skip(n: number): Dataset<T> {
    count(n, "Dataset.skip: n");
    return this.derive(async function* (src) {
      let r = await src.next();
      for (let i = 0; i < n && !r.done; i++, r = await src.next()) disposeExcept(r.value, null);
      for (; !r.done; r = await src.next()) yield r.value;
    });
  }

  /** Prepare up to `bufferSize` elements ahead while the consumer works. */
  prefetch(bufferSize = 1): Dataset<T> {
    count(bufferSize, "Dataset.prefetch: bufferSize", false);
    return this.derive(async function* (src) {
      const queue: Promise<IteratorResult<T>>[] = [];
      try {
        for (;;) {
          while (queue.length < bufferSize) queue.push(src.next());
          const r = await queue.shift()!;
          if (r.done) return;
          yield r.value;
        }
      } finally {
        for (const p of queue) {
          const r = await p.catch(() => null);
          if (r && !r.done) disposeExcept(r.value, null);
        }
      }
    });
  }

  /** Every element in order, as an array (small datasets and tests). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }
}

export type { Structure };
