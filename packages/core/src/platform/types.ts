/**
 * What differs between platforms for core: async-context storage and file access. Each
 * platform module (node.ts, browser.ts) exports one `platform` of this shape; package.json's
 * "imports" picks one by condition (`#platform`), so a browser bundle never sees a Node built-in.
 */

/** Storage that follows async calls (Node's AsyncLocalStorage). */
export interface AsyncStorage<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/** Platform services core needs. */
export interface CorePlatform {
  /** Async-context storage, or null where the platform has none (a plain stack is used). */
  asyncStorage<T>(): AsyncStorage<T> | null;
  /** Write `data` to `path`, creating folders; with `atomic`, via a temporary file renamed over `path`. */
  writeFile(path: string, data: Uint8Array | string, atomic: boolean): Promise<void>;
  /** Read the whole file at `path`. */
  readFile(path: string): Promise<Uint8Array>;
  /** The size in bytes of the file at `path`. */
  fileSize(path: string): Promise<number>;
  /** The names in the folder `path`; an empty list when the folder does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Delete the file at `path` if it exists. */
  removeFile(path: string): Promise<void>;
  /** Join path segments (Node's `path.join`; "/" where there is no file system). */
  joinPath(...parts: string[]): string;
  /** The path of a `file:` URL. */
  pathFromUrl(url: string): string;
}
