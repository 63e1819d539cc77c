/**
 * Smoke test of the benchmark harness (bench/): a --quick run of matmul 64 on the
 * reference backend and TF.js cpu gives well-formed results, and the correctness check
 * rejects an engine whose results are wrong, without timing it.
 */
import { describe, expect, it } from "vitest";
import { loadEngines } from "../bench/src/engines/index.js";
import { renderHtml } from "../bench/src/report/html.js";
import { renderMarkdown } from "../bench/src/report/markdown.js";
import { runSuite } from "../bench/src/suite.js";
import type { Engine } from "../bench/src/types.js";

const options = { quick: true, filter: ["matmul 64"], backends: ["eager-reference", "tfjs-cpu"], outDir: "" };

describe("bench harness", () => {
  it("runs a quick case on the reference backend and a peer", async () => {
    const results = await runSuite(options, { log: () => undefined });
    expect(results.schema).toBe(1);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.engines.map((e) => e.name)).toEqual(["eager-reference", "tfjs-cpu"]);
    for (const name of ["eager-reference", "tfjs-cpu"]) {
      const row = results.rows.find((r) => r.engine === name)!;
      expect(row).toMatchObject({ case: "matmul 64", status: "ok", unit: "GFLOP/s", checkedAgainst: "oracle" });
      expect(row.medianMs).toBeGreaterThan(0);
      expect(row.firstRunMs).toBeGreaterThan(0);
      expect(row.value).toBeCloseTo((2 * 64 ** 3) / (row.medianMs! * 1e6), 9);
      expect(row.checkError).toBeLessThan(1e-4);
    }
    const [ref, peer] = ["eager-reference", "tfjs-cpu"].map((n) => results.rows.find((r) => r.engine === n)!);
    expect(results.ratios).toEqual([{ case: "matmul 64", engine: "eager-reference", peer: "tfjs-cpu", speedup: peer!.medianMs! / ref!.medianMs! }]);
    expect(renderHtml(results)).toContain("<svg");
    expect(renderMarkdown(results)).toContain("| matmul 64 |");
  });

  it("marks a wrong result as wrong and does not time it", async () => {
    const loaded = await loadEngines(["eager-reference"]);
    const reference = loaded.engines[0]!;
    const broken: Engine = {
      ...reference,
      name: "eager-broken",
      read: async (t) => {
        const v = await reference.read(t);
        v[5] = v[5]! + 0.5;
        return v;
      },
    };
    const results = await runSuite(options, { engines: { engines: [reference, broken], unavailable: [] }, log: () => undefined });
    const row = results.rows.find((r) => r.engine === "eager-broken")!;
    expect(row.status).toBe("wrong");
    expect(row.checkedAgainst).toBe("eager-reference");
    expect(row.medianMs).toBeUndefined();
    expect(row.reason).toMatch(/differs from the eager-reference/);
    expect(results.ratios).toEqual([]);
  });
});
