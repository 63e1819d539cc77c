/**
 * The MNIST example's --profile: a short seed-model run prints the ops table and writes a
 * trace-event file that parses, with one complete event per recorded op.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const examples = fileURLToPath(new URL("../packages/examples", import.meta.url));

describe("MNIST example --profile", () => {
  it("prints the table sorted by time and writes a trace covering every op", () => {
    const out = mkdtempSync(join(tmpdir(), "mnist-profile-"));
    try {
      const stdout = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", "src/mnist/main.ts", "--model", "seed", "--epochs", "1", "--limit", "300", "--profile", "--out", out], {
        cwd: examples, encoding: "utf8", timeout: 120_000,
      });
      const m = /seed: profile of (\d+) ops .*; trace (\S+)/.exec(stdout)!;
      expect(m, stdout).not.toBeNull();
      expect(stdout).toMatch(/\nop\s+device\s+kernel\s+time\s+calls\s+total ms\s+%\s+mean ms\s+bytes\s+first input shapes\n/);
      // Rows of ops and of the compiled step's fused kernels ("fused[sub>exp]  cpu  fused program ...").
      const ms = [...stdout.matchAll(/^\S+\s+\w+\s+(?:WebAssembly|JS reference|fused program)\s+host\s+\d+\s+([\d.]+)/gm)].map((r) => Number(r[1]));
      expect(ms.length).toBeGreaterThan(3);
      expect([...ms].sort((a, b) => b - a)).toEqual(ms);
      const trace = JSON.parse(readFileSync(m[2]!, "utf8")) as { traceEvents: { ph: string; name: string; dur: number; args: { index: number } }[] };
      const spans = trace.traceEvents.filter((e) => e.ph === "X");
      expect(spans.length).toBeGreaterThanOrEqual(Number(m[1]));
      expect(spans.map((e) => e.args.index)).toEqual(spans.map((_, i) => i));
      expect(spans.some((e) => e.name === "matmul")).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);
});
