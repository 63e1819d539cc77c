/**
 * The whole suite as a function: pick cases and engines from the options, run every case
 * on every engine (ours checked against the reference backend when it ran the case, peers
 * against the plain-JS oracle), and compute ratios against each peer from this same run.
 */
import type { Options } from "./args.js";
import { loadEngines } from "./engines/index.js";
import { machineInfo } from "./machine.js";
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

/** Hooks for tests and callers: explicit engines instead of loading them, and a logger. */
export interface SuiteHooks {
  engines?: { engines: Engine[]; unavailable: EngineUnavailable[] };
  log?: (line: string) => void;
}

/** Runs the selected cases on the selected engines and returns the results file. */
export async function runSuite(options: Options, hooks: SuiteHooks = {}): Promise<ResultsFile> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const cases = selectCases(options.filter);
  if (cases.length === 0) throw new Error(`--filter ${options.filter?.join(",")} matches no case`);
  const { engines, unavailable } = hooks.engines ?? (await loadEngines(options.backends));
  for (const u of unavailable) log(`skipping ${u.name}: ${u.reason}`);
  for (const e of engines) log(`engine ${e.name}: ${Object.entries(e.info).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const rows: ResultRow[] = [];
  for (const c of cases) {
    log(`\n${c.id}`);
    const oracle: Expectation = { value: c.expected(), against: "oracle" };
    let fromReference: Expectation | null = null;
    for (const engine of engines) {
      const expect = !engine.peer && engine.name !== "eager-reference" && fromReference ? fromReference : oracle;
      const { row, result } = await runCase(c, engine, expect, budgetFor(c, options.quick));
      if (engine.name === "eager-reference" && row.status === "ok" && result !== undefined) fromReference = { value: result, against: "eager-reference" };
      rows.push(row);
      log(`  ${engine.name.padEnd(16)} ${describeRow(row)}`);
      (globalThis as { gc?: () => void }).gc?.();
    }
    for (const u of unavailable)
      rows.push({ workload: c.workload, case: c.id, engine: u.name, peer: !u.name.startsWith("eager-"), status: "skipped", reason: u.reason, unit: c.metric.unit, higherIsBetter: c.metric.higherIsBetter });
  }
  return {
    schema: 1,
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { quick: options.quick, filter: options.filter, backends: options.backends },
    engines: [
      ...engines.map((e) => ({ name: e.name, peer: e.peer, available: true, waits: e.waits, info: e.info })),
      ...unavailable.map((u) => ({ name: u.name, peer: !u.name.startsWith("eager-"), available: false, reason: u.reason })),
    ],
    rows,
    ratios: ratios(rows),
  };
}
