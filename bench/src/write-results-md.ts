/**
 * Writes bench/RESULTS.md from a results JSON (default bench/results/latest.json):
 * `pnpm --filter @eager/bench report [path/to/results.json]`.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderMarkdown } from "./report/markdown.js";
import type { ResultsFile } from "./types.js";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const input = process.argv[2] ? path.resolve(process.argv[2]) : path.join(benchDir, "results", "latest.json");
const results = JSON.parse(await readFile(input, "utf8")) as ResultsFile;
if (results.schema !== 1) throw new Error(`${input}: unknown results schema ${String(results.schema)}`);
const out = path.join(benchDir, "RESULTS.md");
await writeFile(out, renderMarkdown(results));
console.log(`wrote ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), input)}`);
