/**
 * Durable, atomic file replacement (Node): write a temporary file in the same folder, fsync
 * it, rename it over the target, fsync the folder. Temporary files left by writers that were
 * killed mid-write (their process is gone) are removed by the next write to the same path.
 * Imported only by the Node platform module.
 */
import * as fs from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { engine } from "../engine/engine.js";

const TMP = ".tmp-";

/** Whether process `pid` is alive (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove `<name>.tmp-<pid>-...` files in `dir` whose writer process no longer exists. */
export async function removeStaleTemps(dir: string, name: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return removed;
  }
  for (const f of entries) {
    if (!f.startsWith(name + TMP)) continue;
    const pid = Number(f.slice(name.length + TMP.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && alive(pid))) continue;
    if (pid === process.pid && engine.tempFilesInFlight.has(join(dir, f))) continue;
    await fs.rm(join(dir, f), { force: true });
    removed.push(f);
  }
  return removed;
}

/** Replace `path` with `bytes` so that a crash at any moment leaves the old or the new file, never a mix. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  await removeStaleTemps(dir, basename(path));
  const tmp = `${path}${TMP}${process.pid}-${Date.now().toString(36)}-${(engine.tempFileCounter++).toString(36)}`;
  engine.tempFilesInFlight.add(tmp);
  try {
    const fh = await fs.open(tmp, "wx");
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    engine.tempFilesInFlight.delete(tmp);
  }
  await syncFolder(dir);
}

/** fsync a folder so a rename in it survives an OS crash (a no-op where folders cannot be opened). */
async function syncFolder(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof fs.open>> | null = null;
  try {
    fh = await fs.open(dir, "r");
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF") throw e;
  } finally {
    await fh?.close();
  }
}
