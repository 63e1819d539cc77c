/**
 * The worker_threads entry: exposes the host on the MessagePort passed in workerData. When the
 * host is TypeScript source (inside the monorepo), it registers tsx first to load it.
 */
import { workerData } from "node:worker_threads";
import { expose } from "comlink";

if (workerData.entry.endsWith(".ts")) (await import("tsx/esm/api")).register();
const { createHost } = await import(workerData.entry);
expose(createHost(), workerData.port);
