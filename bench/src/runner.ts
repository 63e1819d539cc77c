/**
 * Runs cases on engines: for each case, each engine prepares inputs, makes one first call
 * (timed apart: compilation and warm-up), checks the result, then tinybench times the
 * steady state. A case that fails its check is reported as "wrong" and never timed.
 */
import { Bench } from "tinybench";
import { relativeError } from "./check.js";
import type { Case, Engine, PreparedCase, ResultRow } from "./types.js";

/** Iteration budget for one case on one engine. */
export interface Budget {
  timeMs: number;
  iterations: number;
  warmupIterations: number;
}

/** Budgets for full runs and --quick runs. */
export function budgetFor(c: Case, quick: boolean): Budget {
  if (quick) return { timeMs: 0, iterations: 2, warmupIterations: 0 };
  return c.weight === "heavy" ? { timeMs: 1500, iterations: 5, warmupIterations: 1 } : { timeMs: 1000, iterations: 20, warmupIterations: 3 };
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

async function firstRuns(p: PreparedCase, n: number): Promise<{ firstRunMs: number; result: Float32Array | number }> {
  const t0 = performance.now();
  const first = await p.run();
  const firstRunMs = performance.now() - t0;
  if (n === 1) return { firstRunMs, result: first };
  const results = [first];
  for (let i = 1; i < n; i++) results.push(await p.run());
  return { firstRunMs, result: Float32Array.from(results.flatMap((r) => (typeof r === "number" ? [r] : [...r]))) };
}

/** Times `p.run` with tinybench; returns the median and spread of iteration times, ms. */
async function steadyState(id: string, p: PreparedCase, b: Budget): Promise<{ medianMs: number; rmad: number; samples: number }> {
  const bench = new Bench({ time: b.timeMs, iterations: b.iterations, warmup: b.warmupIterations > 0, warmupIterations: b.warmupIterations, warmupTime: 0, throws: true });
  bench.add(id, async () => {
    await p.run();
  });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new Error(`tinybench ended in state ${r.state}`);
  return { medianMs: r.latency.p50, rmad: r.latency.mad / r.latency.p50, samples: r.latency.samplesCount };
}

/** What a run of one case on one engine is checked against. */
export interface Expectation {
  value: Float32Array | number;
  against: "oracle" | "eager-reference";
}

/** Runs one case on one engine and returns its row (and its checked result, for reuse). */
export async function runCase(c: Case, engine: Engine, expect: Expectation, budget: Budget): Promise<{ row: ResultRow; result?: Float32Array | number }> {
  const row: ResultRow = { workload: c.workload, case: c.id, engine: engine.name, peer: engine.peer, status: "ok", unit: c.metric.unit, higherIsBetter: c.metric.higherIsBetter };
  if (engine.name === "eager-reference" && c.skipReference) return { row: { ...row, status: "skipped", reason: c.skipReference } };
  if (c.onlyEngines && !c.onlyEngines.names.includes(engine.name)) return { row: { ...row, status: "skipped", reason: c.onlyEngines.reason } };
  if (c.workload === "conv2d" && !engine.conv2d) return { row: { ...row, status: "skipped", reason: engine.conv2dMissing ?? "no conv2d" } };
  let p: PreparedCase | undefined;
  try {
    await engine.activate();
    p = await c.prepare(engine);
    const { firstRunMs, result } = await firstRuns(p, c.checkRuns ?? 1);
    row.firstRunMs = firstRunMs;
    row.checkError = relativeError(result, expect.value, c.errorScale);
    row.checkedAgainst = expect.against;
    if (!(row.checkError <= c.tolerance)) {
      row.status = "wrong";
      row.reason = `result differs from the ${expect.against}: relative error ${row.checkError.toExponential(2)} > ${c.tolerance}`;
      return { row };
    }
    const s = await steadyState(`${c.id} ${engine.name}`, p, budget);
    Object.assign(row, { medianMs: s.medianMs, value: c.metric.fromMs(s.medianMs), rmad: s.rmad, samples: s.samples });
    if (p.extras) row.extras = p.extras();
    return { row, result };
  } catch (e) {
    return { row: { ...row, status: "failed", reason: firstLine(e) } };
  } finally {
    try {
      p?.dispose();
    } catch {
      // A failed case may leave its inputs half made; the row already says why.
    }
  }
}
