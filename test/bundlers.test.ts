/**
 * The packed packages as a browser app gets them: installed from tarballs into a fresh app,
 * bundled by esbuild (--platform=browser), Vite 7, Vite 8, webpack 5 and Rollup with no
 * errors and no warning about a Node built-in, and each bundle run in headless Chromium
 * (cross-origin isolated) where one op runs on cpu, webgpu and webgl. Also the size and
 * startup targets: core + cpu under 250 kB gzipped, the cpu package under 1 MB installed,
 * `await ready("cpu")` within 50 ms in Node, fused kernels from the installed cpu package;
 * and the public types check in a Node program without DOM typings. Slow (one to two
 * minutes): it builds, packs and installs.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLERS, mentionsNodeBuiltin } from "./bundlers/bundlers.js";
import { launchChromium, runPage } from "./bundlers/chromium.js";
import { installPackedApp } from "./bundlers/install.js";
import { serveIsolated } from "./bundlers/serve.js";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const chromiumPath = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  const reason = `bundle runs in Chromium skipped: no Chromium at ${chromiumPath} (install Debian's "chromium" package or set CHROMIUM_PATH)`;
  if (process.env["EAGER_REQUIRE_BROWSER"] === "1") throw new Error(`${reason}; EAGER_REQUIRE_BROWSER=1 requires them`);
  console.warn(reason);
}

let app = "";
let browser: Browser | null = null;

/** Every file under `dir` (symlinked dependencies not followed). */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function jsBytes(dir: string): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const f of files(dir).filter((f) => /\.m?js$/.test(f))) {
    const b = readFileSync(f);
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gzip };
}

interface DeviceOutcome {
  device: string;
  values?: number[];
  info?: Record<string, unknown>;
  error?: string;
}

beforeAll(async () => {
  app = installPackedApp();
  if (hasChromium) browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (app) rmSync(dirname(app), { recursive: true, force: true });
});

describe("bundlers", () => {
  for (const [name, bundle] of Object.entries(BUNDLERS)) {
    it.skipIf(!hasChromium)(`${name}: bundles with no errors and no Node built-in, and runs on cpu, webgpu and webgl in Chromium`, async () => {
      const out = join(app, "..", `out-${name.replace(/\W+/g, "-")}`);
      const res = await bundle(app, out);
      expect(res.errors).toEqual([]);
      expect(res.warnings.filter(mentionsNodeBuiltin)).toEqual([]);
      // No import of a node: module survives in the output, static or dynamic.
      for (const f of files(out).filter((f) => /\.m?js$/.test(f))) expect(readFileSync(f, "utf8")).not.toMatch(/(from|import\s*\(|require\s*\()\s*["'`]node:/);
      const size = jsBytes(out);
      console.log(`[bundlers] ${name}: ${res.warnings.length} warnings; JavaScript ${(size.raw / 1024).toFixed(0)} kB, ${(size.gzip / 1024).toFixed(0)} kB gzipped`);
      for (const w of res.warnings) console.log(`[bundlers] ${name} warning: ${w.trim().split("\n")[0]}`);
      const server = await serveIsolated(out);
      try {
        const { result, pageErrors } = await runPage(browser!, `${server.origin}/index.html`);
        const r = result as { crossOriginIsolated: boolean; devices: Record<string, DeviceOutcome> };
        expect(pageErrors).toEqual([]);
        expect(r.crossOriginIsolated).toBe(true);
        for (const device of ["cpu", "webgpu", "webgl"]) {
          expect(r.devices[device]!.error).toBeUndefined();
          expect(r.devices[device]).toMatchObject({ device, values: [11, 22, 33] });
        }
        expect(r.devices["cpu"]!.info).toMatchObject({ sharedMemory: true, simd: "relaxed-simd" });
        expect(r.devices["webgl"]!.info).toMatchObject({ mode: "webgl2" });
      } finally {
        await server.close();
      }
    }, 120_000);
  }
});

describe("types", () => {
  it("a Node program (no DOM lib) and a browser program (DOM lib) type-check against the declarations, skipLibCheck off", async () => {
    const check = async (lib: readonly string[]) => {
      const tsconfig = join(app, `tsconfig.${lib.join("-")}.json`);
      const compilerOptions = { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib, types: ["node"], typeRoots: [join(root, "node_modules/@types")], strict: true, noEmit: true, skipLibCheck: false };
      writeFileSync(tsconfig, JSON.stringify({ compilerOptions, files: ["src/types-check.ts"] }));
      try {
        await execFileAsync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", tsconfig], { cwd: app, encoding: "utf8" });
        return "";
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    };
    const [node, browser] = await Promise.all([check(["ES2022"]), check(["ES2022", "DOM"])]);
    expect(node).toBe("");
    expect(browser).toBe("");
  }, 90_000);
});

describe("size and startup", () => {
  it("core + cpu bundle for the browser under 250 kB gzipped, with no wabt inside", async () => {
    const { build } = await import("esbuild");
    const res = await build({ entryPoints: [join(app, "src/core-cpu.js")], bundle: true, platform: "browser", format: "esm", minify: true, write: false, logLevel: "silent" });
    const code = res.outputFiles[0]!.contents;
    const gzip = gzipSync(code, { level: 9 }).length;
    console.log(`[bundlers] core + cpu (esbuild --minify): ${(code.length / 1024).toFixed(0)} kB, ${(gzip / 1024).toFixed(1)} kB gzipped`);
    expect(gzip).toBeLessThan(250_000);
    expect(Buffer.from(code).toString("utf8")).not.toMatch(/parseWat|wabt/);
  });

  it("the installed cpu backend assembles fused kernels: a compiled a*b+c runs as one kernel", () => {
    const r = JSON.parse(execFileSync(process.execPath, [join(app, "src/fused.mjs")], { cwd: app, encoding: "utf8" }).trim()) as { values: number[]; kernels: unknown[] };
    expect(r.kernels).toEqual([{ ops: ["mul", "add"], device: "cpu", fused: true }]);
    expect(r.values).toEqual([1 * 2 + 3, 2 * 3 + 4, 3 * 4 + 5, 4 * 5 + 6, 5 * 6 + 7, 6 * 7 + 8, 7 * 8 + 9, 1 * 2 + 3]);
  });

  it("@eager/backend-cpu installs under 1 MB", () => {
    const dir = realpathSync(join(app, "node_modules/@eager/backend-cpu"));
    const own = files(dir).filter((f) => !f.startsWith(join(dir, "node_modules")));
    const bytes = own.reduce((s, f) => s + statSync(f).size, 0);
    console.log(`[bundlers] @eager/backend-cpu installed: ${own.length} files, ${(bytes / 1024).toFixed(0)} kB`);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(["@eager/core"]);
    expect(bytes).toBeLessThan(1_000_000);
  });

  it("await ready('cpu') takes at most 50 ms in Node (best of 5 processes)", () => {
    const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, [join(app, "src/startup.mjs")], { cwd: app, encoding: "utf8" }).trim()) as { ms: number; device: string; values: number[] });
    for (const r of runs) expect(r).toMatchObject({ device: "cpu", values: [4, 6] });
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    console.log(`[bundlers] await ready("cpu") in Node: ${ms.map((m) => m.toFixed(1)).join(", ")} ms`);
    expect(ms[0]).toBeLessThanOrEqual(50);
  });
});
