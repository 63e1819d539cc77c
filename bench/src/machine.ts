/**
 * The machine a run happened on, for the results: CPU model, cores, Node, platform, memory.
 */
import os from "node:os";
import type { ResultsFile } from "./types.js";

export function machineInfo(): ResultsFile["machine"] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}
