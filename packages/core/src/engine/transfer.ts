/**
 * Moving data between devices. A move reads the source buffer and writes a new one on the
 * target; the bytes moved are counted for the placement report.
 */
import { BackendCapabilityError } from "../errors.js";
import type { Backend } from "../plugin.js";
import { Storage } from "./memory.js";
import { noteBytesMoved } from "./placement.js";

/** Read a storage synchronously, or explain why it cannot be. */
export function readStorageSync(storage: Storage, what: string): ReturnType<NonNullable<Backend["readSync"]>> {
  const b = storage.backend;
  if (!b.readSync || !b.capabilities.syncRead)
    throw new BackendCapabilityError(
      `${what}: backend "${b.name}" cannot read synchronously; use \`await tensor.data()\` (or \`await tensor.array()\`, \`await tensor.toAsync(device)\`) instead`,
    );
  b.flush?.();
  return b.readSync(storage.data, storage.dtype, storage.size);
}

/** A copy of `storage` on `target`, made synchronously. */
export function copyStorageSync(storage: Storage, target: Backend<any>, what: string): Storage {
  const values = readStorageSync(storage, what);
  return writeStorage(values, storage, target);
}

/** A copy of `storage` on `target`, waiting for an asynchronous read if needed. */
export async function copyStorage(storage: Storage, target: Backend<any>): Promise<Storage> {
  storage.backend.flush?.();
  const values = await storage.backend.read(storage.data, storage.dtype, storage.size);
  return writeStorage(values, storage, target);
}

function writeStorage(values: ReturnType<Backend["read"]> extends Promise<infer T> ? T : never, storage: Storage, target: Backend<any>): Storage {
  const buf = target.alloc(storage.dtype, storage.size);
  if (storage.size > 0) target.write(buf, values);
  noteBytesMoved(storage.backend.name, target.name, storage.bytes);
  return new Storage(target, buf, storage.dtype, storage.size);
}
