/**
 * The page side of the WebGL benchmark: bundled for the browser by src/webgl-browser.ts,
 * it runs the selected workloads' cases on eager's "webgl" device with the suite's runner
 * (first call timed apart, result checked against the float64 oracle before timing).
 */
import "@eager/backend-webgl";
import { getBackend } from "@eager/core/backend";
import { createEagerEngine } from "./engines/eager.js";
import { budgetFor, runCase } from "./runner.js";
import type { ResultRow } from "./types.js";
import { workloads } from "./workloads/index.js";

/** Runs the cases whose ids start with one of `filter` and returns their rows and the backend's facts. */
async function runWebGlBench(filter: readonly string[], quick: boolean): Promise<{ rows: ResultRow[]; info: Record<string, unknown>; userAgent: string }> {
  const info = { ...getBackend("webgl").capabilities.info };
  const engine = createEagerEngine("eager-webgl", "webgl", { mode: String(info["mode"]) });
  const cases = workloads.flatMap((w) => w.cases()).filter((c) => filter.some((f) => c.id.toLowerCase().startsWith(f.toLowerCase())));
  const rows: ResultRow[] = [];
  for (const c of cases) {
    const { row } = await runCase(c, engine, { value: c.expected(), against: "oracle" }, budgetFor(c, quick));
    rows.push(row);
  }
  return { rows, info, userAgent: navigator.userAgent };
}

(globalThis as { runWebGlBench?: typeof runWebGlBench }).runWebGlBench = runWebGlBench;
