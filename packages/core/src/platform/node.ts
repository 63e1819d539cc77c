/**
 * Core's Node platform: AsyncLocalStorage for scopes that survive `await`, and node:fs for
 * checkpoints (durable atomic writes, atomic-write.ts) and charts. Selected by the "node" condition of `#platform`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "./atomic-write.js";
import type { CorePlatform } from "./types.js";

/** Node's platform services. */
export const platform: CorePlatform = {
  asyncStorage: () => new AsyncLocalStorage(),
  async writeFile(path, data, atomic) {
    if (atomic) return writeFileAtomic(path, data);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  },
  readFile: async (path) => new Uint8Array(await readFile(path)),
  fileSize: async (path) => (await stat(path)).size,
  async listDir(path) {
    try {
      return await readdir(path);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return [];
      throw e;
    }
  },
  removeFile: (path) => rm(path, { force: true }),
  joinPath: (...parts) => join(...parts),
  pathFromUrl: (url) => fileURLToPath(url),
};
