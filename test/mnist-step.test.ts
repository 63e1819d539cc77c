/**
 * The MNIST example's --step: a short MLP run with compiled steps and one with eager steps
 * reach the same test accuracy after every epoch; the compiled run reports its traces (one for
 * every batch size) and its program's kernels, and a bad --step value is refused.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const examples = fileURLToPath(new URL("../packages/examples", import.meta.url));
const run = (args: string[]): string => execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", "src/mnist/main.ts", ...args], { cwd: examples, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });

describe("MNIST example --step", () => {
  it("eager and compiled MLP runs reach the same accuracy; the compiled one prints its traces and kernels", () => {
    const out = mkdtempSync(join(tmpdir(), "mnist-step-"));
    try {
      // 600 images in batches of 128: four full batches and one of 88.
      const common = ["--model", "mlp", "--epochs", "2", "--limit", "600", "--out", out];
      const eager = run([...common, "--step", "eager"]);
      const compiled = run([...common, "--step", "compiled"]);
      const accuracies = (s: string) => [...s.matchAll(/^mlp epoch \d: .*test accuracy ([\d.]+)%$/gm)].map((m) => m[1]);
      expect(accuracies(eager)).toHaveLength(2);
      expect(accuracies(compiled)).toEqual(accuracies(eager));
      expect(compiled).toMatch(/^mlp epoch 1: .*ms\/step, compiled,/m);
      expect(eager).toMatch(/^mlp epoch 1: .*ms\/step, eager,/m);
      expect(compiled).toMatch(/^mlp: compiled step traced once for 2 batch sizes \(128, 88\): one program serves every size/m);
      const k = /program: (\d+) ops in (\d+) kernels, (\d+) fused \(ops per fused kernel: ([^)]*)\)/.exec(compiled)!;
      expect(k, compiled).not.toBeNull();
      expect(Number(k[2])).toBeLessThan(Number(k[1]));
      expect(Number(k[3])).toBeGreaterThan(0);
      expect(eager).not.toMatch(/traced/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it("refuses a --step that is neither eager nor compiled", () => {
    expect(() => run(["--model", "mlp", "--step", "fast"])).toThrow(/--step must be eager or compiled, got fast/);
  });
});
