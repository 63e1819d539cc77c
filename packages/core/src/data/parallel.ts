/**
 * `Dataset.map(fn, { parallel: n })`: a pure host-side function applied in a worker pool.
 * Each element's tensors go to the host, the function runs in a worker on
 * `{ data, shape, dtype }` records, and its result comes back as tensors on the current
 * device, in the original order. The pool opens when iteration starts and closes when it
 * stops (end, break, return or throw).
 *
 * What can be sent: `{ module, export }` (an absolute module URL, e.g.
 * `new URL("./augment.js", import.meta.url)`, and the name of a function it exports), or a
 * function whose source text is self-contained: it may use its arguments and globals only,
 * never variables, imports or `this` from around it (closures cannot cross to a worker).
 */
import { EagerError, InvalidArgumentError } from "../errors.js";
import { disposeExcept } from "./structure.js";
import { fromHostElement, toHostElement } from "./host.js";
import { openMapPool, type SentFunction } from "./map-pool.js";

/** A function in a module that workers import: `{ module: new URL("./f.js", import.meta.url), export: "f" }`. */
export interface ModuleFunction {
  readonly module: string | URL;
  readonly export: string;
}

/** Options of a parallel map. */
export interface ParallelMapOptions {
  /** Number of workers (an integer >= 1). */
  readonly parallel: number;
}

/** A parallel map function threw (or could not be sent) for the element at `index`. */
export class DatasetMapError extends EagerError {
  constructor(
    message: string,
    /** The element's position in the mapped dataset (0-based). */
    readonly index: number,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options && "cause" in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

const WHERE = "Dataset.map (parallel)";
const RULE = "send a self-contained function (it may use only its arguments and globals) or { module: <absolute URL>, export: <name> }";

/** Checks `fn` can be sent to a worker and describes it; throws InvalidArgumentError if not. */
export function sendableFunction(fn: unknown): SentFunction {
  if (typeof fn === "function") {
    const source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source))
      throw new InvalidArgumentError(`${WHERE}: ${fn.name || "the function"} is native or bound, so its source cannot be sent to a worker; ${RULE}`);
    try {
      new Function(`return (${source}\n);`);
    } catch {
      throw new InvalidArgumentError(`${WHERE}: the source of ${fn.name || "the function"} is not a function expression (a method shorthand?), so it cannot be sent to a worker; ${RULE}`);
    }
    return { kind: "source", source };
  }
  if (fn !== null && typeof fn === "object" && "module" in fn && "export" in fn) {
    const m = (fn as ModuleFunction).module;
    const name = (fn as ModuleFunction).export;
    let url: string;
    try {
      url = new URL(String(m)).href;
    } catch {
      throw new InvalidArgumentError(`${WHERE}: module "${String(m)}" is not an absolute URL; use new URL("./file.js", import.meta.url)`);
    }
    if (typeof name !== "string" || !name) throw new InvalidArgumentError(`${WHERE}: export must be the name of a function the module exports`);
    return { kind: "module", module: url, export: name };
  }
  throw new InvalidArgumentError(`${WHERE}: expects a function or { module, export }; ${RULE}`);
}

function describeFailure(e: unknown, fn: SentFunction, index: number): DatasetMapError {
  const err = e as { name?: string; message?: string };
  const message = err?.message ?? String(e);
  const hint =
    fn.kind === "source" && err?.name === "ReferenceError"
      ? ` (the function was sent as source text, so it cannot see variables or imports from where it was written: ${RULE})`
      : "";
  return new DatasetMapError(`${WHERE}: element ${index} failed: ${err?.name && err.name !== "Error" ? `${err.name}: ` : ""}${message}${hint}`, index, { cause: e });
}

/**
 * Map `src` through `fn` on `parallel` workers, yielding results in the source's order.
 * Up to twice as many elements as workers are in flight. Source elements are disposed once
 * copied to the host.
 */
export async function* parallelMap<U>(src: AsyncIterator<unknown>, fn: SentFunction, options: ParallelMapOptions): AsyncGenerator<U> {
  const pool = await openMapPool(options.parallel);
  const window = 2 * options.parallel;
  const queue: Promise<U>[] = [];
  let index = 0;
  let ended = false;
  try {
    for (;;) {
      while (!ended && queue.length < window) {
        const r = await src.next();
        if (r.done) {
          ended = true;
          break;
        }
        const i = index++;
        const element = await toHostElement(r.value);
        disposeExcept(r.value, null);
        const p = pool
          .run({ fn, element })
          .then((out) => fromHostElement(out, `${WHERE}: the result of element ${i}`) as U)
          .catch((e: unknown) => {
            throw describeFailure(e, fn, i);
          });
        // Rejections are observed when the element's turn comes (or at close).
        p.catch(() => undefined);
        queue.push(p);
      }
      if (queue.length === 0) return;
      yield await queue.shift()!;
    }
  } finally {
    for (const p of queue) {
      const out = await p.catch(() => null);
      if (out !== null) disposeExcept(out, null);
    }
    await pool.close();
  }
}
