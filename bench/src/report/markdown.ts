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

/**
 * RESULTS.md for a Node run, followed by the browser run's section when `browser` is given
 * (each with its own machine, browser version, medians, ratios and first-run times).
 */
export function renderMarkdown(results: ResultsFile, browser?: ResultsFile | null): string {
  return renderRun(results, "##") + (browser ? `\n# In the browser\n\n${renderRun(browser, "##")}` : "");
}

function renderRun(results: ResultsFile, h: string): string {
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

  const header = results.browser
    ? `Written by \`pnpm --filter @eager/bench report\` from \`bench/results/browser.json\`, made by
\`pnpm bench --browser\`: the same cases and runner in ${results.browser.name} ${results.browser.version}
(${results.browser.crossOriginIsolated ? "cross-origin isolated, so SharedArrayBuffer and wasm threads work" : "NOT cross-origin isolated"}), served by Vite.
WebGPU and WebGL run on SwiftShader (a software GPU on the same two cores): they prove
correctness and show overheads, not GPU speed.

- Date: ${results.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}
- Browser: ${results.browser.name} ${results.browser.version} (${results.browser.userAgent})
- Run: ${results.options.quick ? "--quick (few iterations: smoke numbers only)" : "full budget"}${results.options.filter ? `, --filter ${results.options.filter.join(",")}` : ""}${results.options.backends ? `, --backends ${results.options.backends.join(",")}` : ""}
`
    : `# Benchmark results

Written by \`pnpm --filter @eager/bench report\` from \`bench/results/latest.json\`
(chart: \`bench/results/latest.html\`, with the browser run beside it). Do not edit by hand; run the suite again.

- Date: ${results.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}
- Node: ${m.node}
- Run: ${results.options.quick ? "--quick (few iterations: smoke numbers only)" : "full budget"}${results.options.filter ? `, --filter ${results.options.filter.join(",")}` : ""}${results.options.backends ? `, --backends ${results.options.backends.join(",")}` : ""}
`;
  return `${header}
These machines are small and shared: ${m.cores} cores that other work also uses, so absolute
times are noisy and drift between runs. Compare engines within one run (the ratios below
come from the same process run), not across runs.

${h} Medians

Median of steady-state iterations. Every iteration computes and reads its result back to
a host typed array (\`await data()\` in each library). Each result was checked once before
timing: ours against the reference backend (or the plain-JS oracle when the reference did
not run the case), peers against the oracle.

${medians}

${h} Ratios against each peer

Peer median time / our median time, same run: above 1x eager is faster, below 1x the peer is.

${ratios}

${h} First run (ms)

The first call on each engine, timed apart from the steady state: it includes compilation,
wasm instantiation and warm-up.

${first}

${h} Training step memory

Peak live tensor bytes in each library's own accounting, sampled inside the step (after
the forward pass and after the gradients).

${memory}

${h} Engines

${engineNotes.join("\n")}

${h} Skipped, failed or wrong

${grouped.length ? grouped.join("\n") : "Nothing."}
`;
}
