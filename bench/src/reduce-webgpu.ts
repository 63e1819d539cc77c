/**
 * Reductions on webgpu over the outer axis (0) and the last axis (1) of 2-D float32 tensors:
 * median wall time of several calls, each waiting for its result (`await y.data()`). Where
 * WebGPU is SwiftShader (software) the figures say nothing about a real GPU.
 * Run: cd bench && node --conditions=source --import tsx src/reduce-webgpu.ts [op, default sum]
 */
import * as tf from "@eager/core";
import "@eager/backend-webgpu";

const OP = (process.argv[2] ?? "sum") as "sum" | "max" | "mean";
const RUNS = 7;
const SHAPES: [number, number][] = [[128, 256], [1024, 1024], [4096, 64]];
await tf.ready("webgpu");

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

for (const shape of SHAPES) {
  const x = tf.withDevice("webgpu", () => tf.randomNormal(shape, 0, 1, "float32", 1));
  const host = (await x.data()) as Float32Array;
  const row: string[] = [];
  for (const axis of [0, 1]) {
    const run = () => tf.withDevice("webgpu", () => tf[OP](x, axis));
    const first = run();
    const got = (await first.data()) as Float32Array;
    first.dispose();
    // Check against a float64 host sum / max.
    const [r, c] = shape;
    let worst = 0;
    for (let o = 0; o < got.length; o++) {
      let acc = OP === "max" ? -Infinity : 0;
      const n = axis === 0 ? r : c;
      for (let k = 0; k < n; k++) {
        const v = host[axis === 0 ? k * c + o : o * c + k]!;
        acc = OP === "max" ? Math.max(acc, v) : acc + v;
      }
      if (OP === "mean") acc /= n;
      worst = Math.max(worst, Math.abs(acc - got[o]!) / Math.max(1, Math.abs(acc)));
    }
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const y = run();
      await y.data();
      times.push(performance.now() - t0);
      y.dispose();
    }
    row.push(`axis ${axis}: ${median(times).toFixed(1)} ms (rel err ${worst.toExponential(1)})`);
  }
  console.log(`${OP} [${shape.join(",")}]  ${row.join("   ")}`);
  x.dispose();
}
process.exit(0);
