/**
 * Where a trained model goes: one IndexedDB record per browser (the checkpoint bytes and the
 * model kind), or a downloaded .safetensors file.
 */
import type { ModelKind } from "./protocol.js";

const DB = "eager-playground";
const STORE = "models";
const KEY = "mnist";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function request<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const req = run(db.transaction(STORE, mode).objectStore(STORE));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      }).finally(() => db.close()),
  );
}

/** Stores the checkpoint in this browser's IndexedDB (replacing the previous one). */
export async function saveToIndexedDb(bytes: Uint8Array, model: ModelKind): Promise<void> {
  await request("readwrite", (s) => s.put({ bytes, model, savedAt: new Date().toISOString() }, KEY));
}

/** The stored checkpoint, or null when none was saved. */
export async function loadFromIndexedDb(): Promise<{ bytes: Uint8Array; model: ModelKind; savedAt: string } | null> {
  return (await request("readonly", (s) => s.get(KEY))) ?? null;
}

/** Offers the checkpoint as a file download. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
