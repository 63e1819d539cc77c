/**
 * The whole suite as a function (Node): pick cases and engines from the options, run every
 * case on every engine (src/run-cases.ts), and describe the machine with the results.
 */
import type { Options } from "./args.js";
import { loadEngines } from "./engines/index.js";
import { machineInfo } from "./machine.js";
import { ratios, runCases, selectCases } from "./run-cases.js";
import type { Engine, EngineUnavailable, ResultsFile } from "./types.js";

export { ratios, selectCases };

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
  const rows = await runCases(cases, engines, unavailable, options.quick, log);
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
