/**
 * Renders a results file to one self-contained HTML page: per case, inline SVG bars of the
 * medians (one per engine, ours and peers in two colours), first-run times, and the rows
 * that were skipped or failed with their reasons. No scripts, no external files.
 */
import type { ResultRow, ResultsFile } from "../types.js";
import { esc, mib, num } from "./format.js";

const BAR_W = 420;
const ROW_H = 22;
const LABEL_W = 130;

function chart(rows: readonly ResultRow[]): string {
  const ok = rows.filter((r) => r.status === "ok" && r.value !== undefined);
  if (ok.length === 0) return "<p>No engine finished this case.</p>";
  const max = Math.max(...ok.map((r) => r.value!));
  const h = ok.length * ROW_H + 6;
  const bars = ok
    .map((r, i) => {
      const w = Math.max(1, (r.value! / max) * BAR_W);
      const y = i * ROW_H + 3;
      const fill = r.peer ? "#9aa5b1" : "#2f6fdb";
      return (
        `<text x="${LABEL_W - 6}" y="${y + 14}" text-anchor="end">${esc(r.engine)}</text>` +
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${fill}"><title>${esc(`${r.engine}: ${num(r.value!)} ${r.unit}`)}</title></rect>` +
        `<text x="${LABEL_W + w + 6}" y="${y + 14}">${esc(`${num(r.value!)} ${r.unit}`)}</text>`
      );
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_W + BAR_W + 150}" height="${h}" font-family="sans-serif" font-size="12">${bars}</svg>`;
}

function details(rows: readonly ResultRow[]): string {
  const lines = rows.map((r) => {
    const peak = r.extras?.peakBytes;
    const cells =
      r.status === "ok"
        ? [num(r.medianMs!), num(r.firstRunMs!), `${((r.rmad ?? 0) * 100).toFixed(1)}%`, String(r.samples), r.checkedAgainst ?? "", peak === undefined ? "" : peak === null ? "n/a" : mib(peak)]
        : [`${r.status}: ${r.reason}`];
    const tds = cells.map((c, i) => `<td${r.status !== "ok" && i === 0 ? ' colspan="6"' : ""}>${esc(c)}</td>`).join("");
    return `<tr><td>${esc(r.engine)}${r.peer ? " (peer)" : ""}</td>${tds}</tr>`;
  });
  return `<table><tr><th>engine</th><th>median ms</th><th>first run ms</th><th>MAD</th><th>n</th><th>checked against</th><th>peak bytes</th></tr>${lines.join("")}</table>`;
}

/** Where a results file ran, in words. */
export function runPlace(results: ResultsFile): string {
  const m = results.machine;
  const where = results.browser ? `${results.browser.name} ${results.browser.version}${results.browser.crossOriginIsolated ? " (cross-origin isolated)" : ""}` : `Node ${m.node}`;
  return `${where} on ${m.cpu}, ${m.cores} cores, ${m.platform}`;
}

/** One run's charts: a heading, the engines, and a section per case. */
function renderRun(results: ResultsFile): string {
  const cases = [...new Set(results.rows.map((r) => r.case))];
  const sections = cases.map((c) => {
    const rows = results.rows.filter((r) => r.case === c);
    const first = rows[0]!;
    const better = first.higherIsBetter ? "higher is better" : "lower is better";
    return `<section><h2>${esc(c)} <small>${esc(first.unit)}, ${better}</small></h2>${chart(rows)}${details(rows)}</section>`;
  });
  const engines = results.engines
    .map((e) => `<li><b>${esc(e.name)}</b>${e.peer ? " (peer)" : ""}: ${e.available ? esc(Object.entries(e.info ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")) : `not run: ${esc(e.reason ?? "")}`}</li>`)
    .join("");
  return `<h1>${results.browser ? "In the browser" : "In Node"}</h1>
<p>${esc(results.date)}: ${esc(runPlace(results))}${results.options.quick ? " (quick run: few iterations)" : ""}.
Medians of steady-state iterations; every iteration reads its result back to the host.</p>
<ul>${engines}</ul>
${sections.join("\n")}`;
}

/** The HTML page for one or more runs (Node and browser), each with its own charts. */
export function renderHtml(...runs: ResultsFile[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eager benchmarks ${esc(runs[0]?.date ?? "")}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}small{color:#666;font-weight:normal}.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}</style>
</head><body>
<p class="key"><span style="background:#2f6fdb"></span>eager <span style="background:#9aa5b1"></span>peers</p>
${runs.map(renderRun).join("\n<hr>\n")}
</body></html>
`;
}