/**
 * plugins/README.md stays true: each code block marked `<!-- file: PATH -->` equals that file
 * (which `pnpm typecheck` compiles), and the example backend runs as the guide says.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runMini } from "../src/example.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const readme = readFileSync(`${root}plugins/README.md`, "utf8");
const blocks = [...readme.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => ({ path: m[1]!, code: m[2]! }));

describe("plugins/README.md", () => {
  it("includes the example backend and its conformance test", () => {
    expect(blocks.map((b) => b.path)).toEqual(["plugins/guide/src/example.ts", "plugins/guide/test/mini.conformance.test.ts"]);
  });

  for (const b of blocks)
    it(`the block marked ${b.path} equals the file`, () => {
      expect(b.code).toBe(readFileSync(`${root}${b.path}`, "utf8"));
    });

  it("the example runs as the guide says: values, decomposition, fallbacks and moves", async () => {
    const { y, m, report } = await runMini();
    expect(y).toEqual([3, 0, 7, 0]);
    expect(m).toEqual([1.5, 3.5]);
    expect(report.ops["mini"]).toEqual({ mul: 1, add: 1, relu: 1 });
    expect(report.decomposed["mini"]).toEqual({ mean: 1 });
    expect(report.fallbacks.map((f) => [f.op, f.from, f.to])).toEqual([
      ["sum", "mini", "reference"],
      ["div", "mini", "reference"],
    ]);
    expect(report.moves["mini->reference"]?.bytes).toBeGreaterThan(0);
  });
});
