/**
 * The conformance suite on the worker backend in Node (worker_threads): every op it declares,
 * every case and dtype, read back asynchronously and compared with the reference backend.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createWorkerBackend } from "@eager/plugin-worker";

registerBackend("worker", () => createWorkerBackend(), { priority: -1, kind: "other" });
await tf.ready("worker");
conformanceSuite({ device: "worker", describe, it });
