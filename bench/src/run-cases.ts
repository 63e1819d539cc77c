/**
 * Runs cases on engines and computes ratios, with no Node imports (the browser page uses it
 * too): every case on every engine, ours checked against the reference backend when it ran
 * the case, peers against the plain-JS oracle; ratios against each peer from the same run.
 */
import { budgetFor, runCase, type Expectation } from "./runner.js";
import type { Case, Engine, EngineUnavailable, ResultRow, ResultsFile } from "./types.js";
import { workloads } from "./workloads/index.js";

/** The cases the filter picks: by workload name or case-id prefix, case-insensitive. */
export function selectCases(filter: readonly string[] | null): Case[] {
  const all = workloads.flatMap((w) => w.cases());
  if (!filter) return all;
  const f = filter.map((s) => s.toLowerCase());
  return all.filter((c) => f.some((t) => c.workload.toLowerCase() === t || c.id.toLowerCase().startsWith(t)));
}

/** Ratios of each of our engines against each peer: peer time / our time (above 1: ours is faster). */
export function ratios(rows: readonly ResultRow[]): ResultsFile["ratios"] {
  const out: ResultsFile["ratios"] = [];
  const ok = rows.filter((r) => r.status === "ok" && r.medianMs !== undefined);
  for (const ours of ok.filter((r) => !r.peer))
    for (const peer of ok.filter((r) => r.peer && r.case === ours.case))
      out.push({ case: ours.case, engine: ours.engine, peer: peer.engine, speedup: peer.medianMs! / ours.medianMs! });
  return out;
}

function describeRow(r: ResultRow): string {
  if (r.status !== "ok") return `${r.status.toUpperCase()}: ${r.reason}`;
  const v = r.value!;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;
  return `${v.toFixed(digits)} ${r.unit} (median ${r.medianMs!.toFixed(3)} ms, first ${r.firstRunMs!.toFixed(1)} ms, n=${r.samples})`;
}

/** A reason to skip `c` on `engine` instead of running it (e.g. a software GPU and a heavy case), or null. */
export type SkipRule = (c: Case, engine: Engine) => string | null;

/** Every case on every engine, in order; `log` gets one line per row. */
export async function runCases(cases: readonly Case[], engines: readonly Engine[], unavailable: readonly EngineUnavailable[], quick: boolean, log: (line: string) => void, skip: SkipRule = () => null): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const c of cases) {
    log(`\n${c.id}`);
    const oracle: Expectation = { value: c.expected(), against: "oracle" };
    let fromReference: Expectation | null = null;
    for (const engine of engines) {
      const reason = skip(c, engine);
      if (reason) {
        rows.push({ workload: c.workload, case: c.id, engine: engine.name, peer: engine.peer, status: "skipped", reason, unit: c.metric.unit, higherIsBetter: c.metric.higherIsBetter });
        log(`  ${engine.name.padEnd(16)} SKIPPED: ${reason}`);
        continue;
      }
      const expect = !engine.peer && engine.name !== "eager-reference" && fromReference ? fromReference : oracle;
      const { row, result } = await runCase(c, engine, expect, budgetFor(c, quick));
      if (engine.name === "eager-reference" && row.status === "ok" && result !== undefined) fromReference = { value: result, against: "eager-reference" };
      rows.push(row);
      log(`  ${engine.name.padEnd(16)} ${describeRow(row)}`);
      (globalThis as { gc?: () => void }).gc?.();
    }
    for (const u of unavailable)
      rows.push({ workload: c.workload, case: c.id, engine: u.name, peer: !u.name.startsWith("eager-"), status: "skipped", reason: u.reason, unit: c.metric.unit, higherIsBetter: c.metric.higherIsBetter });
  }
  return rows;
}
