/**
 * The API reference builds: `pnpm docs` (TypeDoc over @eager/core's public entry points, with
 * warnings as errors) must succeed and write the pages for the main exports.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

it("pnpm docs builds the API reference with no warnings", () => {
  let out = "";
  try {
    out = execFileSync(process.execPath, [`${root}node_modules/typedoc/bin/typedoc`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`typedoc failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
  expect(out).not.toMatch(/\[warning\]/);
  expect(existsSync(`${root}docs/api/index.html`)).toBe(true);
  const tensorPage = readFileSync(`${root}docs/api/classes/index.Tensor.html`, "utf8");
  expect(tensorPage).toContain("toJSON");
}, 180_000);
