/**
 * `pnpm bench --browser` end to end, quick: the page is cross-origin isolated, TF.js's wasm
 * backend runs with 2 threads and jax-js with jit and its worker pool, every result is checked
 * before timing, and the results name the browser and its version. Needs Chromium.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runBrowserSuite } from "../bench/src/browser/run.js";
import { renderHtml } from "../bench/src/report/html.js";
import { renderMarkdown } from "../bench/src/report/markdown.js";

const chromium = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";
if (!existsSync(chromium) && process.env["EAGER_REQUIRE_BROWSER"] === "1") throw new Error(`no Chromium at ${chromium}; EAGER_REQUIRE_BROWSER=1 requires it`);

describe.skipIf(!existsSync(chromium))(`bench in headless Chromium (skipped without Chromium at ${chromium})`, () => {
  it("runs matmul 64 on ours and both peers at their best, checked, with ratios", async () => {
    const lines: string[] = [];
    const r = await runBrowserSuite({ quick: true, filter: ["matmul 64"], backends: ["eager-cpu-1t", "tfjs-wasm", "jax-js-wasm"], outDir: "", browser: true }, (l) => lines.push(l));
    expect(r.browser?.crossOriginIsolated).toBe(true);
    expect(r.browser?.version).toMatch(/^\d+\./);
    const info = Object.fromEntries(r.engines.map((e) => [e.name, e.info ?? {}]));
    expect(Object.keys(info).sort()).toEqual(["eager-cpu-1t", "jax-js-wasm", "tfjs-wasm"]);
    expect(info["tfjs-wasm"]!["threads"]).toBe(2);
    expect(info["jax-js-wasm"]!["jit"]).toBe(true);
    for (const row of r.rows) {
      expect(row.status, `${row.engine}: ${row.reason}`).toBe("ok");
      expect(row.checkError).toBeLessThanOrEqual(1e-4);
    }
    expect(r.ratios.map((x) => x.peer).sort()).toEqual(["jax-js-wasm", "tfjs-wasm"]);
    expect(renderMarkdown(r, r)).toContain("# In the browser");
    expect(renderHtml(r)).toContain("<h1>In the browser</h1>");
  }, 120_000);
});
