/**
 * The built package works as users consume it: a plain `node app.mjs` importing
 * "@eager/core" from dist, and a browser bundle with no Node built-ins.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

beforeAll(() => {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}packages/core/tsconfig.json`], { stdio: "inherit" });
}, 120_000);

it("a plain node program imports the built package", () => {
  const out = execFileSync(process.execPath, [`${root}test/fixtures/app.mjs`], { encoding: "utf8" });
  expect(JSON.parse(out.trim())).toEqual({ printed: "Tensor([[4]], shape=[1,1], dtype=float32)", grad: 6, device: "reference" });
});

it("bundles for the browser with no static import of Node built-ins", async () => {
  const result = await build({
    entryPoints: [`${root}packages/core/dist/index.js`],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
    // Node built-ins may appear only behind dynamic import() (file access in Node).
    external: ["node:*"],
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/(from|import)\s*["']node:/);
  expect(code.length).toBeGreaterThan(10_000);
});
