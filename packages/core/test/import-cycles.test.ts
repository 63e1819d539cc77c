/**
 * Core's module structure: no runtime import cycle anywhere in packages/core/src (type-only
 * imports aside), the op table below the engine and the public API, and a plugin entry that
 * loads no layers, optimizers, losses or datasets.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, reachable } from "./helpers/import-graph.js";

const root = fileURLToPath(new URL("../src", import.meta.url));
const graph = importGraph(root);

describe("packages/core/src imports", () => {
  it("reads the whole source tree", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("engine/dispatch.ts")).toContain("ops/table.ts");
  });

  it("has no runtime import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the checker itself)", () => {
    const g = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(cycles(g)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("keeps the op table below the engine and the public API", () => {
    for (const m of reachable(graph, "ops/table.ts")) expect(m, `ops/table.ts loads ${m}`).not.toMatch(/^(api|engine|layers|losses|train|data)\//);
  });

  it("loads no layers, optimizers, losses, metrics or datasets from @eager/core/backend", () => {
    const loaded = [...reachable(graph, "backend.ts")];
    expect(loaded.filter((m) => /^(layers|losses|train|data|metrics)\//.test(m) || m === "index.ts")).toEqual([]);
    expect(loaded).toContain("engine/dispatch.ts");
  });
});
