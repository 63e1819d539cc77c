/**
 * WebGL benchmarks in headless Chromium: bundles src/webgl-page.ts with esbuild, runs it in
 * Debian's Chromium through Playwright (WebGL2 on SwiftShader, a software GPU), and writes a
 * clearly labelled section into bench/RESULTS.md (between markers, replaced on each run).
 * `pnpm --filter @eager/bench webgl [--quick] [--filter "matmul 64,exp"]`
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright";
import type { ResultRow } from "./types.js";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const fi = args.indexOf("--filter");
/** Cases small enough for a software GPU; matmul 512/1024 and the 16M cases take minutes on SwiftShader. */
const DEFAULT_FILTER = ["matmul 64", "matmul 256", "exp 1M", "tanh 1M", "mulAdd 1M", "conv2d", "dispatch", "mlp"];
const filter = fi >= 0 ? args[fi + 1]!.split(",").map((s) => s.trim()) : DEFAULT_FILTER;
const START = "<!-- webgl-browser:start -->";
const END = "<!-- webgl-browser:end -->";

const bundle = await build({
  entryPoints: [path.join(benchDir, "src/webgl-page.ts")],
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  conditions: ["source"],
  mainFields: ["browser", "module", "main"],
  // core loads node:fs only inside functions that the page never calls
  external: ["node:*"],
  logLevel: "error",
});
const browser = await chromium.launch({
  executablePath: process.env["CHROMIUM_PATH"] || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader"],
});
let result: { rows: ResultRow[]; info: Record<string, unknown>; userAgent: string };
try {
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (!m.text().includes("GL Driver Message")) console.log(`[page] ${m.text()}`);
  });
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  result = await page.evaluate(([f, q]) => (globalThis as unknown as { runWebGlBench: (f: string[], q: boolean) => Promise<typeof result> }).runWebGlBench(f, q), [filter, quick] as [string[], boolean]);
} finally {
  await browser.close();
}

const fmt = (v: number | undefined, d = 3) => (v === undefined ? "" : v >= 100 ? v.toFixed(0) : v.toPrecision(d + 1));
const lines = [
  START,
  "## eager-webgl in headless Chromium (WebGL2 on SwiftShader)",
  "",
  "SwiftShader is a software GPU running on this machine's CPU cores: these numbers prove that",
  "the WebGL backend computes correct results in a real WebGL2 context and show its first-call",
  "(shader compile) cost; they say nothing about speed on a real GPU. Every result was checked",
  `against the float64 oracle before timing. Backend: mode=${String(result.info["mode"])}, maxTextureSize=${String(result.info["maxTextureSize"])}; ${result.userAgent.replace(/\s*HeadlessChrome\/[\d.]+/, "")}.`,
  `Run ${new Date().toISOString().slice(0, 10)} with \`pnpm --filter @eager/bench webgl${quick ? " --quick" : ""}\`.`,
  "",
  "| case | value | unit | median ms | first call ms | check error | status |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...result.rows.map((r) => `| ${r.case} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.medianMs)} | ${fmt(r.firstRunMs)} | ${r.checkError === undefined ? "" : r.checkError.toExponential(1)} | ${r.status}${r.reason ? `: ${r.reason}` : ""} |`),
  END,
];
for (const r of result.rows) console.log(`${r.case.padEnd(24)} ${r.status} ${fmt(r.value)} ${r.unit} first ${fmt(r.firstRunMs)} ms${r.reason ? ` (${r.reason})` : ""}`);
const file = path.join(benchDir, "RESULTS.md");
const md = await readFile(file, "utf8");
const section = lines.join("\n");
const at = md.indexOf(START);
const next = at >= 0 ? md.slice(0, at) + section + md.slice(md.indexOf(END) + END.length) : `${md.trimEnd()}\n\n${section}\n`;
await writeFile(file, next);
console.log(`wrote the WebGL section of ${path.relative(process.cwd(), file)}`);
