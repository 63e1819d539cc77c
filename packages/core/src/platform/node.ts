/**
 * Core's Node platform: AsyncLocalStorage for scopes that survive `await`, and node:fs for
 * checkpoints and charts. Selected by the "node" condition of `#platform`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { CorePlatform } from "./types.js";

/** Node's platform services. */
export const platform: CorePlatform = {
  asyncStorage: () => new AsyncLocalStorage(),
  async writeFile(path, data, atomic) {
    await mkdir(dirname(path), { recursive: true });
    if (!atomic) return writeFile(path, data);
    const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  },
  readFile: async (path) => new Uint8Array(await readFile(path)),
};
