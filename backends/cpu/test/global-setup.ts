/**
 * Test set-up: regenerates the prebuilt kernels and the browser worker script from the
 * generators (src/generated/), so tests always run the kernels the sources describe. The
 * generators read core's op table, so the build script runs as its own Node process with the
 * "source" condition (core's `#platform` resolves to its TypeScript module there).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Vitest global set-up hook. */
export default function setup(): void {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const out = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", "scripts/build-kernels.ts"], { cwd, encoding: "utf8" });
  if (!out.includes("up to date")) console.log(`[backend-cpu] ${out.trim()}`);
}
