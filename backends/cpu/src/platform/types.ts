/**
 * What differs between platforms for the CPU backend. Each platform module (node.ts,
 * browser.ts) exports one `platform` of this shape; package.json's "imports" picks the
 * module by condition (`#platform`), so a browser bundle never sees a Node built-in.
 */
import type { WorkerTransport } from "../pool/transport.js";

/** Platform services the backend needs. */
export interface CpuPlatform {
  /** How pool workers start here. */
  defaultTransport(): WorkerTransport;
  /** Hardware threads, or 1 when unknown. */
  hardwareThreads(): number;
  /** Switch relaxed SIMD on where the engine has it behind a flag (Node 20's V8); a no-op elsewhere. */
  enableRelaxedSimd(): void;
}
