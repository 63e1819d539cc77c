/**
 * Writes bench/RESULTS.md from a results JSON (default bench/results/latest.json) and, when
 * it exists, the browser run's bench/results/browser.json:
 * `pnpm --filter @eager/bench report [path/to/results.json]`. Sections between
 * `<!-- name:start -->` and `<!-- name:end -->` markers (written by other runs, such as the
 * WebGL run in Chromium) are kept at the end.
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
const browserFile = path.join(path.dirname(input), "browser.json");
const browser = await readFile(browserFile, "utf8").then((t) => JSON.parse(t) as ResultsFile, () => null);
const out = path.join(benchDir, "RESULTS.md");
await writeFile(out, renderMarkdown(results, browser) + (await keptSections(out)));
console.log(`wrote ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), input)}${browser ? ` and ${path.relative(process.cwd(), browserFile)}` : ""}`);

/** The marked sections of the existing file, to append after the regenerated content. */
async function keptSections(file: string): Promise<string> {
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch {
    return "";
  }
  const sections = text.match(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->/g) ?? [];
  return sections.map((s) => `\n${s}\n`).join("");
}
