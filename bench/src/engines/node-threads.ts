/**
 * What the peers' worker pools need in Node, provided from worker_threads: Blob URLs that
 * workers can load (a Blob's text is kept when it is made, and `URL.createObjectURL` writes it
 * to a temporary file whose path stands for the URL) and a Web `Worker` global whose workers
 * see `self`, `postMessage` and `onmessage`. Node-only; install before the peer starts its pool.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as threads from "node:worker_threads";

let dir: string | null = null;
const texts = new WeakMap<Blob, string>();
const transforms: ((text: string) => string)[] = [];
const files = new WeakMap<Blob, string>();

function fileFor(blob: Blob): string | undefined {
  const text = texts.get(blob);
  if (text === undefined) return undefined;
  let file = files.get(blob);
  if (!file) {
    if (!dir) {
      const made = mkdtempSync(path.join(tmpdir(), "eager-bench-blobs-"));
      dir = made;
      process.once("exit", () => rmSync(made, { recursive: true, force: true }));
    }
    file = path.join(dir, `blob-${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, text);
    files.set(blob, file);
  }
  return file;
}

let blobsInstalled = false;

/**
 * Keeps the text of Blobs made from strings (passed through `transform` when given), makes `URL.createObjectURL` of such a Blob a
 * temporary file's path, and replaces such a Blob posted to a worker_threads Worker by that path.
 */
export function installBlobFiles(transform?: (text: string) => string): void {
  if (transform) transforms.push(transform);
  if (blobsInstalled) return;
  blobsInstalled = true;
  const NativeBlob = globalThis.Blob;
  class TextBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === "string")) texts.set(this, transforms.reduce((t, f) => f(t), parts.join("")));
    }
  }
  globalThis.Blob = TextBlob as typeof Blob;
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) => fileFor(obj) ?? createObjectURL(obj);
  const post = threads.Worker.prototype.postMessage;
  threads.Worker.prototype.postMessage = function (this: threads.Worker, msg: unknown, transfer?: readonly threads.TransferListItem[]) {
    if (msg && typeof msg === "object")
      for (const [k, v] of Object.entries(msg)) if (v instanceof NativeBlob && fileFor(v)) (msg as Record<string, unknown>)[k] = fileFor(v);
    return post.call(this, msg, transfer);
  };
}

/** Runs in each polyfilled worker before its script: the Web worker globals over parentPort. */
const PRELUDE = `
const { parentPort, workerData } = require("node:worker_threads");
const listeners = [];
let queue = [];
globalThis.self = globalThis;
globalThis.postMessage = (m, t) => parentPort.postMessage(m, t);
globalThis.addEventListener = (type, fn) => { if (type === "message") listeners.push(fn); };
globalThis.close = () => process.exit(0);
const deliver = (data) => {
  const event = { data };
  if (typeof globalThis.onmessage === "function") globalThis.onmessage(event);
  for (const fn of listeners) fn(event);
};
// Messages that arrive while the script loads wait for it, as in a browser.
parentPort.on("message", (data) => (queue ? queue.push(data) : deliver(data)));
import(workerData.url).then(
  () => { const q = queue; queue = null; q.forEach(deliver); },
  (e) => { parentPort.postMessage({ __workerError: String((e && e.stack) || e) }); },
);
`;

/** A Web Worker over worker_threads: enough for worker pools that post messages and shared memory. */
class NodeWebWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  private readonly listeners: ((e: { data: unknown }) => void)[] = [];
  private readonly worker: threads.Worker;
  constructor(url: string | URL) {
    const href = String(url);
    const target = href.startsWith("file:") || href.startsWith("data:") ? href : pathToFileURL(href).href;
    this.worker = new threads.Worker(PRELUDE, { eval: true, workerData: { url: target } });
    this.worker.unref();
    this.worker.on("message", (data: unknown) => {
      if (data && typeof data === "object" && "__workerError" in data) return this.onerror?.({ message: String((data as { __workerError: string }).__workerError) });
      const e = { data };
      this.onmessage?.(e);
      for (const fn of this.listeners) fn(e);
    });
    this.worker.on("error", (err) => this.onerror?.({ message: err.message }));
  }
  postMessage(data: unknown, transfer?: readonly threads.TransferListItem[]): void {
    this.worker.postMessage(data, transfer);
  }
  addEventListener(type: string, fn: (e: { data: unknown }) => void): void {
    if (type === "message") this.listeners.push(fn);
  }
  terminate(): void {
    void this.worker.terminate();
  }
}

/**
 * Makes the global `Worker` this Web Worker polyfill (and installs the Blob files it loads).
 * Emscripten's Node code (TF.js wasm) sets `global.Worker` to worker_threads' own class when it
 * starts, so a caller that needs Web semantics installs this again before starting workers.
 */
export function installWorkerGlobal(): void {
  installBlobFiles();
  (globalThis as { Worker?: unknown }).Worker = NodeWebWorker;
}
