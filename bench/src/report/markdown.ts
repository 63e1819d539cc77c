/**
 * Renders a results file as RESULTS.md: the machine and date, a table of medians, ratios
 * of each of our engines against each peer, first-run times, peak memory of the training
 * step, what was skipped or failed and why, and how to read the numbers.
 */
import type { ResultRow, ResultsFile } from "../types.js";
import { mib, num, ratio } from "./format.js";

const table = (head: string[], body: string[][]): string =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function cell(r: ResultRow | undefined, pick: (r: ResultRow) => string): string {
  if (!r) return "";
  if (r.status === "ok") return pick(r);
  return r.status === "skipped" ? "skipped" : r.status;
}

/** RESULTS.md for `results`. */
export function renderMarkdown(results: ResultsFile): string {
  const m = results.machine;
  const engines = results.engines.map((e) => e.name);
  const ours = results.engines.filter((e) => !e.peer && e.available).map((e) => e.name);
  const peers = results.engines.filter((e) => e.peer && e.available).map((e) => e.name);
  const cases = [...new Set(results.rows.map((r) => r.case))];
  const row = (c: string, e: string) => results.rows.find((r) => r.case === c && r.engine === e);
  const unitOf = (c: string) => {
    const r = row(c, results.rows.find((x) => x.case === c)!.engine)!;
    return `${r.unit} (${r.higherIsBetter ? "higher" : "lower"} is better)`;
  };

  const medians = table(["case", "unit", ...engines], cases.map((c) => [c, unitOf(c), ...engines.map((e) => cell(row(c, e), (r) => num(r.value!)))]));
  const ratioRows: string[][] = [];
  for (const c of cases)
    for (const o of ours) {
      const rs = peers.map((p) => results.ratios.find((x) => x.case === c && x.engine === o && x.peer === p));
      if (rs.some(Boolean)) ratioRows.push([c, o, ...rs.map((x) => (x ? ratio(x.speedup) : ""))]);
    }
  const ratios = ratioRows.length ? table(["case", "eager engine", ...peers.map((p) => `vs ${p}`)], ratioRows) : "No case finished on both one of our engines and a peer.";
  const first = table(["case", ...engines], cases.map((c) => [c, ...engines.map((e) => cell(row(c, e), (r) => num(r.firstRunMs!)))]));
  const mlp = results.rows.filter((r) => r.workload === "mlpStep" && r.status === "ok");
  const memory = mlp.length
    ? table(["engine", "ms/step", "peak live bytes"], mlp.map((r) => [r.engine, num(r.value!), r.extras?.peakBytes == null ? "not reported by the library" : mib(r.extras.peakBytes)]))
    : "The training step did not finish on any engine.";
  const notRun = results.rows.filter((r) => r.status !== "ok");
  const reasons = [...new Map(notRun.map((r) => [`${r.engine}: ${r.status} (${r.reason})`, r.case])).entries()].map(([k]) => k);
  const grouped = reasons.map((k) => {
    const cs = notRun.filter((r) => `${r.engine}: ${r.status} (${r.reason})` === k).map((r) => r.case);
    return `- ${k}: ${cs.length === cases.length ? "all cases" : cs.join(", ")}`;
  });
  const engineNotes = results.engines.map((e) =>
    e.available ? `- ${e.name}${e.peer ? " (peer)" : ""}: ${Object.entries(e.info ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")}; waits with ${e.waits}` : `- ${e.name}: not run: ${e.reason}`,
  );

  return `# Benchmark results

Written by \`pnpm --filter @eager/bench report\` from \`bench/results/latest.json\`
(chart: \`bench/results/latest.html\`). Do not edit by hand; run the suite again.

- Date: ${results.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}
- Node: ${m.node}
- Run: ${results.options.quick ? "--quick (few iterations: smoke numbers only)" : "full"}${results.options.filter ? `, --filter ${results.options.filter.join(",")}` : ""}${results.options.backends ? `, --backends ${results.options.backends.join(",")}` : ""}

These machines are small and shared: ${m.cores} cores that other work also uses, so absolute
times are noisy and drift between runs. Compare engines within one run (the ratios below
come from the same process run), not across runs.

## Medians

Median of steady-state iterations. Every iteration computes and reads its result back to
a host typed array (\`await data()\` in each library). Each result was checked once before
timing: ours against the reference backend (or the plain-JS oracle when the reference did
not run the case), peers against the oracle.

${medians}

## Ratios against each peer

Peer median time / our median time, same run: above 1x eager is faster, below 1x the peer is.

${ratios}

## First run (ms)

The first call on each engine, timed apart from the steady state: it includes compilation,
wasm instantiation and warm-up.

${first}

## Training step memory

Peak live tensor bytes in each library's own accounting, sampled inside the step (after
the forward pass and after the gradients).

${memory}

## Engines

${engineNotes.join("\n")}

## Skipped, failed or wrong

${grouped.length ? grouped.join("\n") : "Nothing."}
`;
}
