/**
 * The CPU backend's Node platform: worker_threads workers, the OS's thread count, and V8's
 * relaxed-SIMD flag. Selected by the "node" condition of `#platform`.
 */
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { nodeTransport } from "../pool/transport-node.js";
import type { CpuPlatform } from "./types.js";

/** Node's platform services. */
export const platform: CpuPlatform = {
  defaultTransport: nodeTransport,
  hardwareThreads: () => availableParallelism(),
  enableRelaxedSimd: () => setFlagsFromString("--experimental-wasm-relaxed-simd"),
};
