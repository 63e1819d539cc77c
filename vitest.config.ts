/**
 * Test projects: "node" (every *.test.ts except *.browser.test.ts) and "browser" (every
 * *.browser.test.ts, in headless Chromium driven by Playwright, on a cross-origin isolated
 * page so SharedArrayBuffer works). Tests run on the TypeScript sources of every package.
 *
 * The browser project needs Chromium at /usr/bin/chromium (Debian's `chromium` package), or
 * wherever CHROMIUM_PATH points. Without it the project is left out with a printed reason,
 * unless EAGER_REQUIRE_BROWSER=1 (CI sets it), which turns the missing browser into an error.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { chromiumArgs, chromiumPath } from "./test/chromium-flags.js";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const chromium = chromiumPath;


/** Cross-origin isolation (SharedArrayBuffer, high-resolution timers) for every page the test server sends. */
const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * "source" first: a package's `#platform` import (package.json "imports") resolves to its
 * TypeScript platform module, as `node --conditions=source` does, instead of to dist/.
 */
const nodeConditions = ["source", ...defaultServerConditions];
const browserConditions = ["source", ...defaultClientConditions];

const nodeProject: TestProjectInlineConfiguration = {
  extends: true,
  ssr: { resolve: { conditions: nodeConditions } },
  test: {
    name: "node",
    include: ["packages/**/test/**/*.test.ts", "test/**/*.test.ts", "backends/**/test/**/*.test.ts", "plugins/**/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.browser.test.ts"],
  },
};

const browserProject: TestProjectInlineConfiguration = {
  extends: true,
  resolve: { conditions: browserConditions },
  server: { headers: isolationHeaders },
  test: {
    name: "browser",
    include: ["packages/**/*.browser.test.ts", "backends/**/*.browser.test.ts", "plugins/**/*.browser.test.ts", "test/**/*.browser.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      instances: [{ browser: "chromium" }],
      provider: playwright({ launchOptions: { executablePath: chromium, args: chromiumArgs } }),
    },
  },
};

function browserProjects(): TestProjectInlineConfiguration[] {
  if (existsSync(chromium)) return [browserProject];
  const reason = `browser tests skipped: no Chromium at ${chromium} (install Debian's "chromium" package or set CHROMIUM_PATH)`;
  if (process.env["EAGER_REQUIRE_BROWSER"] === "1") throw new Error(`${reason}; EAGER_REQUIRE_BROWSER=1 requires them`);
  console.warn(`\n[vitest.config] ${reason}\n`);
  return [];
}

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@eager\/core\/backend$/, replacement: src("./packages/core/src/backend.ts") },
      { find: /^@eager\/core$/, replacement: src("./packages/core/src/index.ts") },
      { find: /^@eager\/backend-cpu$/, replacement: src("./backends/cpu/src/index.ts") },
      { find: /^@eager\/backend-webgl$/, replacement: src("./backends/webgl/src/index.ts") },
      { find: /^@eager\/backend-webgpu$/, replacement: src("./backends/webgpu/src/index.ts") },
      { find: /^@eager\/conformance$/, replacement: src("./packages/conformance/src/index.ts") },
      { find: /^@eager\/plugin-typed-array$/, replacement: src("./plugins/typed-array/src/index.ts") },
      { find: /^@eager\/plugin-worker$/, replacement: src("./plugins/worker/src/index.ts") },
    ],
  },
  test: {
    testTimeout: 30000,
    globalSetup: [src("./backends/cpu/test/global-setup.ts")],
    projects: [nodeProject, ...browserProjects()],
  },
});
