/**
 * Entry point: `pnpm --filter @eager/bench start [--quick] [--browser] [--filter w] [--backends b]`.
 * Runs the suite in Node (results/latest.json) or, with --browser, in headless Chromium
 * (results/browser.json), prints rows as they finish, and writes results/latest.html with
 * the charts of both runs. RESULTS.md is written from the JSON by write-results-md.ts.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.js";
import { renderHtml } from "./report/html.js";
import { runSuite } from "./suite.js";
import type { ResultsFile } from "./types.js";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const options = parseArgs(process.argv.slice(2), path.join(benchDir, "results"));
// @eager/backend-cpu unrefs its workers, so awaiting them alone would let Node exit (code 13)
// mid-run; this timer keeps the process alive until the suite is done.
const keepAlive = setInterval(() => undefined, 60_000);
const results = options.browser ? await (await import("./browser/run.js")).runBrowserSuite(options) : await runSuite(options);
clearInterval(keepAlive);
await mkdir(options.outDir, { recursive: true });
const json = path.join(options.outDir, options.browser ? "browser.json" : "latest.json");
const other = path.join(options.outDir, options.browser ? "latest.json" : "browser.json");
const html = path.join(options.outDir, "latest.html");
await writeFile(json, JSON.stringify(results, null, 2) + "\n");
const otherResults = await readFile(other, "utf8").then((t) => JSON.parse(t) as ResultsFile, () => null);
const runs = options.browser ? [otherResults, results] : [results, otherResults];
await writeFile(html, renderHtml(...runs.filter((r): r is ResultsFile => r !== null)));
console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), html)}`);
// Peers keep worker pools and wasm instances alive; the run is over.
process.exit(0);
