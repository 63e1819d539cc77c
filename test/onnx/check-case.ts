/**
 * Export one case to ONNX, run it in every engine at batch 1 and 7 (or its fixed shape), compare
 * with eager, and record the largest relative difference per engine in `differences`.
 */
import { expect } from "vitest";
import * as tf from "@eager/core";
import type { ExportCase } from "./op-families.js";
import { maxRelDiff, runtimes } from "./runtimes.js";

/** name -> engine -> largest relative difference seen; and name -> ONNX bytes. */
export const differences = new Map<string, Record<string, number>>();
export const sizes = new Map<string, number>();

export async function checkCase(c: ExportCase, tolerance: number, options: { opset?: number; irVersion?: number } = {}): Promise<void> {
  const bytes = await tf.onnx.exportModel(c.target ?? c.fn, { inputSignature: c.signature, ...options });
  sizes.set(c.name, bytes.length);
  const dynamic = c.signature.some((s) => s.shape.includes(null));
  const row: Record<string, number> = {};
  for (const n of dynamic ? [1, 7] : [0]) {
    const xs = c.inputs(n);
    const want = [c.fn(...xs)].flat();
    for (const r of runtimes) {
      const got = await r.run(bytes, c.signature.map((_, i) => `input_${i}`), xs);
      expect(got).toHaveLength(want.length);
      want.forEach((w, i) => {
        const d = maxRelDiff(got[i]!, w.dataSync() as ArrayLike<number>);
        row[r.name] = Math.max(row[r.name] ?? 0, d);
        expect(d, `${c.name} output ${i} at batch ${n} in ${r.name}`).toBeLessThanOrEqual(tolerance);
      });
    }
  }
  differences.set(c.name, row);
  console.log(`onnx ${c.name}: ${bytes.length} bytes, max relative difference ${JSON.stringify(row)}`);
}
