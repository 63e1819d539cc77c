/**
 * The plugins stay third-party backends: their sources import core only through
 * `@eager/core/backend` (never `@eager/core` internals or relative paths into core), and the
 * typed-array backend stays under 200 lines of source.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const plugins = fileURLToPath(new URL("../../", import.meta.url));
const sources = (dir: string) => readdirSync(`${plugins}${dir}/src`).map((f) => `${dir}/src/${f}`);

/** Every module specifier a file imports, statically or dynamically. */
function imports(path: string): string[] {
  const text = readFileSync(`${plugins}${path}`, "utf8");
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1]!);
}

const ALLOWED = /^(\.\/[\w.-]+\.js|@eager\/core\/backend|comlink|node:worker_threads|tsx\/esm\/api)$/;

describe("plugin sources", () => {
  for (const file of [...sources("typed-array"), ...sources("worker")])
    it(`${file} imports only @eager/core/backend, its own modules, comlink and platform modules`, () => {
      const specs = imports(file);
      expect(specs.length).toBeGreaterThan(0);
      expect(specs.filter((s) => !ALLOWED.test(s))).toEqual([]);
    });

  it("the typed-array backend is under 200 lines of source", () => {
    const lines = sources("typed-array").reduce((n, f) => n + readFileSync(`${plugins}${f}`, "utf8").split("\n").length - 1, 0);
    expect(lines).toBeGreaterThan(100);
    expect(lines).toBeLessThan(200);
  });
});
