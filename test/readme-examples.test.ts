/**
 * The README examples cannot rot: every ```ts block of README.md and packages/core/README.md
 * is written to its own module, type-checked strictly against the sources, and run with Node.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}test/.readme-examples/`;
const readmes = ["README.md", "packages/core/README.md"];

/** The ```ts blocks of a markdown file. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const blocks = readmes.flatMap((file) => tsBlocks(readFileSync(`${root}${file}`, "utf8")).map((code, i) => ({ file, i, code, name: `${file.replace(/[/.]/g, "_")}_${i}.ts` })));

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const b of blocks) writeFileSync(`${out}${b.name}`, `// ${b.file}, block ${b.i}\n${b.code}\nexport {};\n`);
  writeFileSync(
    `${out}tsconfig.json`,
    JSON.stringify({
      extends: "../../tsconfig.base.json",
      // Resolve to the sources (not a possibly stale dist).
      compilerOptions: { noEmit: true, customConditions: ["source"], paths: { "@eager/core": ["../../packages/core/src/index.ts"] }, lib: ["ES2022", "ESNext.Disposable"] },
      include: ["*.ts"],
    }),
  );
});

it("every README has ts examples", () => {
  for (const f of readmes) expect(blocks.filter((b) => b.file === f).length, f).toBeGreaterThan(0);
});

it("the examples type-check", () => {
  let output = "";
  try {
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${out}tsconfig.json`], { encoding: "utf8" });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(output).toBe("");
}, 120_000);

describe("the examples run", () => {
  for (const b of blocks)
    it(`${b.file} block ${b.i}`, () => {
      const r = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", `${out}${b.name}`], { encoding: "utf8", cwd: out, stdio: ["ignore", "pipe", "pipe"] });
      expect(typeof r).toBe("string");
    }, 120_000);
});
