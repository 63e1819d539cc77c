/**
 * Core's Node platform: AsyncLocalStorage for scopes that survive `await`, and node:fs for
 * checkpoints (durable atomic writes, atomic-write.ts) and charts. Selected by the "node" condition of `#platform`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
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
};
