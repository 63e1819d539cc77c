/**
 * Core's module structure: no runtime import cycle anywhere in packages/core/src (type-only
 * imports aside), the op table below the engine and the public API, a plugin entry that
 * loads no layers, optimizers, losses or datasets, and no mutable module-level variables
 * (runtime state lives in the engine object).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, moduleLevelMutables, reachable } from "./helpers/import-graph.js";

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

describe("runtime state", () => {
  it("lives in the engine object: no module-level let or var in packages/core/src", () => {
    expect(moduleLevelMutables(root)).toEqual([]);
  });
  it("finds a module-level let (the checker itself)", () => {
    const dir = mkdtempSync(join(tmpdir(), "eager-mutables-"));
    writeFileSync(join(dir, "a.ts"), "let counter = 0;\nconst fixed = 1;\nexport function f() { let local = 2; return local + fixed + counter; }\n");
    expect(moduleLevelMutables(dir)).toEqual(["a.ts: counter"]);
    rmSync(dir, { recursive: true });
  });
});
