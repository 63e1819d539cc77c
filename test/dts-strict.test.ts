/**
 * The public .d.ts of every published package type-check in a strict Node app with no DOM or
 * WebAssembly lib types (lib ["ES2022"], types ["node"], skipLibCheck false). Builds every
 * package first (`pnpm build`), then type-checks test/fixtures/dts-app once and attributes
 * each error to the package whose files it names.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
let errors: string[] = [];

beforeAll(() => {
  execFileSync("pnpm", ["build"], { cwd: root, stdio: "pipe" });
  try {
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}test/fixtures/dts-app/tsconfig.json`], { encoding: "utf8" });
  } catch (e) {
    errors = String((e as { stdout?: string }).stdout ?? e).split("\n").filter((l) => /error TS\d+/.test(l));
  }
}, 300_000);

const packages = [
  { name: "@eager/core", dir: "packages/core/", app: "core.ts" },
  { name: "@eager/conformance", dir: "packages/conformance/", app: "conformance.ts" },
  { name: "@eager/backend-cpu", dir: "backends/cpu/", app: "backend-cpu.ts" },
  { name: "@eager/backend-webgpu", dir: "backends/webgpu/", app: "backend-webgpu.ts" },
  { name: "@eager/backend-webgl", dir: "backends/webgl/", app: "backend-webgl.ts" },
];

const of = (p: { dir: string; app: string }) => errors.filter((l) => l.startsWith(p.dir) || l.includes(`dts-app/${p.app}`) || l.startsWith(p.app));

describe("strict Node app, no DOM or WebAssembly lib", () => {
  for (const p of packages) it(`${p.name} type-checks`, () => expect(of(p)).toEqual([]));
  it("no error falls outside the packages' own files and apps", () => {
    expect(errors.filter((l) => !packages.some((p) => of(p).includes(l)))).toEqual([]);
  });
});
