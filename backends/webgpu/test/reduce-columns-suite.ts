/**
 * Column reductions on a WebGPU backend (a block of axes with inner axes after it), shared by
 * the Node and browser projects: every tree/column op and dtype against the reference backend,
 * one pass and split in two (long block, few outputs), NaN included, next to reductions that
 * take the workgroup tree; and with a fused tail.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { compareValues, runEpilogueCase, type EpilogueCase } from "@eager/conformance";
import { getBackend } from "@eager/core/backend";
import type { WebGpuBackend } from "@eager/backend-webgpu";

type Op = "sum" | "mean" | "prod" | "max" | "min" | "all" | "any";
const OPS: Record<"float32" | "int32" | "bool", readonly Op[]> = {
  float32: ["sum", "mean", "prod", "max", "min"],
  int32: ["sum", "prod", "max", "min"],
  bool: ["all", "any"],
};

/** [shape, axes, dispatches]: two dispatches where the reduced block is split into chunks. */
const CASES: [number[], number[], number][] = [
  [[6, 7], [0], 1],
  [[3, 4, 5], [0, 1], 1],
  [[2, 9, 3], [1], 1],
  [[300, 5], [0], 2],
  [[2, 700, 3], [1], 2],
  [[40, 13, 2], [0, 1], 2],
  [[0, 4], [0], 1],
  // No inner axes after the block, or not one block: the workgroup tree (or one thread per output).
  [[5, 300], [1], 1],
  [[2, 3, 100], [1, 2], 1],
  [[70, 2, 3], [0, 2], 1],
];

/** Deterministic values: floats near 1 (prod stays finite), ints in {-1, 1} with a rare 2, bools mostly true. */
function values(dtype: "float32" | "int32" | "bool", n: number, withNaN: boolean): Float32Array | Int32Array | Uint8Array {
  if (dtype === "float32") {
    const v = Float32Array.from({ length: n }, (_, i) => 1 + 0.05 * Math.sin(i * 1.7) - 0.02 * ((i * 7) % 5));
    if (withNaN && n > 3) v[3] = NaN;
    return v;
  }
  if (dtype === "int32") return Int32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 2 : [1, -1, 1, 1, -1][(i * 3) % 5]!));
  return Uint8Array.from({ length: n }, (_, i) => (i % 37 === 5 ? 0 : 1));
}

/** Register the column-reduction tests for `device` (a WebGPU backend, ready). */
export function reduceColumnTests(device: string): void {
  describe(`column reductions on ${device}`, () => {
    for (const dtype of ["float32", "int32", "bool"] as const)
      for (const [shape, axes, dispatches] of CASES)
        for (const withNaN of dtype === "float32" ? [false, true] : [false])
          it(`${OPS[dtype].join("/")} ${dtype}[${shape}] over ${axes}${withNaN ? " with a NaN" : ""}`, async () => {
            const gpu = getBackend(device) as WebGpuBackend;
            const n = shape.reduce((a, b) => a * b, 1);
            const v = values(dtype, n, withNaN);
            for (const op of OPS[dtype]) {
              const x = tf.withDevice(device, () => tf.tensor(v, shape, dtype));
              const r = tf.withDevice("reference", () => tf.tensor(v, shape, dtype));
              const before = gpu.stats.dispatches;
              const y = tf.withDevice(device, () => tf[op](x, axes));
              expect(gpu.stats.dispatches - before).toBe(dispatches);
              const want = tf.withDevice("reference", () => tf[op](r, axes));
              const mismatch = compareValues(await y.data(), await want.data(), want.dtype, { atol: 1e-5, rtol: 1e-5 });
              expect(mismatch, `${op}`).toBeNull();
              for (const t of [x, r, y, want]) t.dispose();
            }
          });

    const tailCases: [EpilogueCase, number][] = [
      [{ name: "sum over axis 0 + bias", head: "sum", shapes: [[9, 33]], attrs: { axes: [0], keepDims: false }, extras: [[33]], steps: [{ op: "add", args: ["acc", { extra: 0 }] }] }, 1],
      [{ name: "split mean over axis 1 * 2 + extra", head: "mean", shapes: [[3, 600, 4]], attrs: { axes: [1], keepDims: true }, extras: [[3, 1, 4]], steps: [{ op: "mul", args: ["acc", { value: 2 }] }, { op: "add", args: ["acc", { extra: 0 }] }] }, 2],
      [{ name: "split max over axis 0 then exp", head: "max", shapes: [[1000, 3]], attrs: { axes: [0], keepDims: false }, extras: [], steps: [{ op: "exp", args: ["acc"] }] }, 2],
      [{ name: "split int32 sum over axis 0 * 3", head: "sum", dtype: "int32", shapes: [[512, 2]], attrs: { axes: [0], keepDims: false }, extras: [], steps: [{ op: "mul", args: ["acc", { value: 3 }] }] }, 2],
    ];
    for (const [c, dispatches] of tailCases)
      it(`fused tail: ${c.name}`, async () => {
        const gpu = getBackend(device) as WebGpuBackend;
        const r = await runEpilogueCase(device, c, c.dtype === "int32" ? undefined : { atol: 1e-4, rtol: 1e-4 }, () => gpu.stats.dispatches);
        expect(r.fused).toBe(true);
        expect(r.mismatch).toBeNull();
        // The tail runs inside the (last) column pass.
        expect(r.counted).toBe(dispatches);
      });
  });
}
