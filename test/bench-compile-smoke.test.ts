/**
 * Smoke test of the compile benchmark (bench/src/compile/): a quick run of a*b+c and the seed
 * example's step on the reference backend checks compiled against eager, fills every field of
 * its rows and renders the RESULTS.md section. No timing is asserted.
 */
import { describe, expect, it } from "vitest";
import { runCompileSuite } from "../bench/src/compile/suite.js";
import { compileResultsFile, renderCompileSection } from "../bench/src/report/compile-markdown.js";

describe("compile benchmark harness", () => {
  it("runs eager and compiled interleaved, with compile time and fused-kernel counts", async () => {
    const lines: string[] = [];
    const rows = await runCompileSuite({
      backends: [{ name: "reference", device: "reference", label: "reference", sizes: { mulAdd: 4096, mnistBatch: 4 }, software: true }],
      filter: ["mulAdd", "example seed"],
      quick: true,
      jax: null,
      log: (l) => lines.push(l),
    });
    expect(rows.map((r) => [r.workload, r.status, r.reason])).toEqual([
      ["mulAdd", "ok", undefined],
      ["example seed step", "ok", undefined],
    ]);
    for (const r of rows) {
      expect(r.eager!.medianMs).toBeGreaterThan(0);
      expect(r.compiled!.medianMs).toBeGreaterThan(0);
      expect(r.compiledOverEager).toBeCloseTo(r.compiled!.medianMs / r.eager!.medianMs, 9);
      expect(r.traceAndPassesMs).toBeGreaterThan(0);
      expect(r.firstCompiledCallMs).toBeGreaterThan(0);
      expect(r.fusedKernels).toBeGreaterThan(0);
      expect(r.kernels).toBeLessThan(r.ops!);
    }
    expect(rows[0]).toMatchObject({ ops: 2, kernels: 1, fusedKernels: 1, opsInFusedKernels: 2, size: "4096 float32 elements" });
    expect(lines).toHaveLength(2);
    const file = compileResultsFile({
      where: "node",
      machine: { cpu: "test", cores: 2, node: process.version, platform: "test", memoryGiB: 1 },
      options: { quick: true, filter: null, backends: null },
      backends: [{ name: "reference", label: "reference", available: true }],
      jax: { available: false, reason: "not selected" },
      rows,
    });
    const md = renderCompileSection(file, null);
    expect(md).toContain("| reference | mulAdd | 4096 float32 elements |");
    expect(md).toContain("| every example model, every backend: compiled never slower than eager |");
  });
});
