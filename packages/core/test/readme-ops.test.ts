/**
 * The README's op list is the one the op table renders: adding, removing or reclassifying an
 * op without running `pnpm ops` fails here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { OPS_BEGIN, OPS_END, renderOpList, withOpList } from "../examples/op-list.js";

const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");

describe("README op list", () => {
  it("is current (run `pnpm ops` to regenerate it)", () => {
    const between = readme.slice(readme.indexOf(OPS_BEGIN) + OPS_BEGIN.length, readme.indexOf(OPS_END)).trim();
    expect(between).toBe(renderOpList());
  });

  it("renders every op once, optional ones in italics", () => {
    const list = renderOpList();
    expect(list).toMatch(/^\d+ primitive ops in one table: \d+ required .* and \d+ optional/);
    expect(list).toContain("- unary: neg, abs, sign, exp, *expm1*,");
    expect(list).toContain("- linalg: matmul\n");
  });

  it("notices a stale copy", () => {
    const stale = withOpList(readme).replace("*expm1*", "expm1");
    const between = stale.slice(stale.indexOf(OPS_BEGIN) + OPS_BEGIN.length, stale.indexOf(OPS_END)).trim();
    expect(between).not.toBe(renderOpList());
    expect(withOpList(stale)).toBe(withOpList(readme));
  });
});
