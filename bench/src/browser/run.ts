/**
 * `pnpm bench --browser`: serves src/browser/ with Vite (the workspace's sources, COOP/COEP
 * headers so the page is cross-origin isolated, TF.js's .wasm files under /tfjs-wasm/), opens
 * it in headless Chromium through Playwright, runs the page's suite, and returns a results
 * file that names the browser and its version next to the machine.
 */
import { createReadStream, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright";
import { createServer, type Plugin } from "vite";
import type { Options } from "../args.js";
import { machineInfo } from "../machine.js";
import type { ResultsFile } from "../types.js";
import { compileResultsFile, type CompileResults } from "../report/compile-markdown.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tfjsWasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));

/** The main workloads, run when no --filter is given. */
export const BROWSER_DEFAULT_FILTER = ["matmul 256", "matmul 1024", "mulAdd 1M", "mlp", "dispatch"];

/** The flags of vitest.config.ts: a closed network, WebGPU and WebGL on SwiftShader. */
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-unsafe-webgpu", "--enable-unsafe-swiftshader"];

const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cross-Origin-Resource-Policy": "same-origin" };

function tfjsWasmFiles(): Plugin {
  return {
    name: "tfjs-wasm-files",
    configureServer(server) {
      server.middlewares.use("/tfjs-wasm", (req, res, next) => {
        const file = path.join(tfjsWasmDir, path.basename((req.url ?? "").split("?")[0]!));
        if (!file.endsWith(".wasm") || !existsSync(file)) return next();
        res.writeHead(200, { ...isolation, "Content-Type": "application/wasm" });
        createReadStream(file).pipe(res);
      });
    },
  };
}

/** Serves the page, opens it in headless Chromium and hands the ready page to `use`. */
async function withBenchPage<T>(log: (line: string) => void, use: (page: Page, browserVersion: string) => Promise<T>): Promise<T> {
  const server = await createServer({
    configFile: false,
    root: here,
    logLevel: "warn",
    resolve: { conditions: ["source", "module", "browser", "development|production"] },
    server: { port: 0, headers: isolation, fs: { allow: [path.resolve(here, "../../..")] } },
    plugins: [tfjsWasmFiles()],
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: process.env["CHROMIUM_PATH"] || "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => {
      if (!m.text().includes("GL Driver Message")) log(m.text());
    });
    page.on("pageerror", (e) => log(`[page error] ${e.message}`));
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.waitForFunction(() => typeof (globalThis as { runBrowserBench?: unknown }).runBrowserBench === "function", null, { timeout: 120_000 });
    return await use(page, browser.version());
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Runs the suite in headless Chromium; `log` gets the page's lines. */
export async function runBrowserSuite(options: Options, log: (line: string) => void = console.log): Promise<ResultsFile> {
  const filter = options.filter ?? BROWSER_DEFAULT_FILTER;
  return withBenchPage(log, async (page, version) => {
    type PageResult = Pick<ResultsFile, "engines" | "rows" | "ratios"> & { userAgent: string; crossOriginIsolated: boolean };
    const backends = options.backends;
    const r = await page.evaluate(
      ([f, q, b]) => (globalThis as unknown as { runBrowserBench: (f: string[], q: boolean, b: string[] | null) => Promise<PageResult> }).runBrowserBench(f, q, b),
      [filter, options.quick, backends] as [string[], boolean, string[] | null],
    );
    return {
      schema: 1,
      date: new Date().toISOString(),
      machine: machineInfo(),
      options: { quick: options.quick, filter, backends },
      engines: r.engines,
      rows: r.rows,
      ratios: r.ratios,
      browser: { name: "Chromium (headless)", version, userAgent: r.userAgent, crossOriginIsolated: r.crossOriginIsolated },
    };
  });
}

/** Runs the compile benchmark (src/compile/) on the page in headless Chromium. */
export async function runBrowserCompile(options: Options, log: (line: string) => void = console.log): Promise<CompileResults> {
  return withBenchPage(log, async (page, version) => {
    type PageResult = Pick<CompileResults, "backends" | "jax" | "rows"> & { userAgent: string; crossOriginIsolated: boolean };
    const r = await page.evaluate(
      ([f, q, b]) => (globalThis as unknown as { runCompileBench: (f: string[] | null, q: boolean, b: string[] | null) => Promise<PageResult> }).runCompileBench(f, q, b),
      [options.filter, options.quick, options.backends] as [string[] | null, boolean, string[] | null],
    );
    return compileResultsFile({
      where: "browser",
      machine: machineInfo(),
      browser: { name: "Chromium (headless)", version, userAgent: r.userAgent, crossOriginIsolated: r.crossOriginIsolated },
      options: { quick: options.quick, filter: options.filter, backends: options.backends },
      backends: r.backends,
      jax: r.jax,
      rows: r.rows,
    });
  });
}
