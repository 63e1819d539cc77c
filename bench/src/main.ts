/**
 * Entry point: `pnpm --filter @eager/bench start [--quick] [--filter w] [--backends b]`.
 * Runs the suite, prints rows as they finish, writes results/latest.json and
 * results/latest.html. RESULTS.md is written from the JSON by write-results-md.ts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.js";
import { renderHtml } from "./report/html.js";
import { runSuite } from "./suite.js";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const options = parseArgs(process.argv.slice(2), path.join(benchDir, "results"));
// @eager/backend-cpu unrefs its workers, so awaiting them alone would let Node exit (code 13)
// mid-run; this timer keeps the process alive until the suite is done.
const keepAlive = setInterval(() => undefined, 60_000);
const results = await runSuite(options);
clearInterval(keepAlive);
await mkdir(options.outDir, { recursive: true });
const json = path.join(options.outDir, "latest.json");
const html = path.join(options.outDir, "latest.html");
await writeFile(json, JSON.stringify(results, null, 2) + "\n");
await writeFile(html, renderHtml(results));
console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), html)}`);
// Peers keep worker pools and wasm instances alive; the run is over.
process.exit(0);
