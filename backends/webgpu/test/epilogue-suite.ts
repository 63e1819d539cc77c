/**
 * Fused-epilogue tests for a WebGPU backend, shared by the Node and browser projects: each head
 * (matmul direct and tiled, transposed and batched; reductions; conv2d) with its elementwise tail
 * in one shader agrees with the head and the elementwise ops run apart on the reference backend;
 * heads it does not fuse are declined; a compiled MLP step fuses its tails here and matches eager.
 */
import { describe, expect, it } from "vitest";
import { compiledMlpSteps, compiledStepMismatch, epilogueCases, runEpilogueCase } from "@eager/conformance";
import { getBackend, ir, opTable, type ResolvedOp } from "@eager/core/backend";
import type { GpuBuffer, WebGpuBackend } from "@eager/backend-webgpu";

/** Register the epilogue tests for `device` (a WebGPU backend, ready). */
export function epilogueTests(device: string): void {
  describe(`fused epilogues on ${device}`, () => {
    for (const c of epilogueCases)
      it(c.name, async () => {
        const gpu = getBackend(device) as WebGpuBackend;
        const r = await runEpilogueCase(device, c, c.dtype === "int32" ? undefined : { atol: 1e-4, rtol: 1e-4 }, () => gpu.stats.dispatches);
        expect(r.fused).toBe(true);
        expect(r.mismatch).toBeNull();
        // One dispatch: the epilogue ran inside the head's shader.
        expect(r.counted).toBe(1);
      });

    it("declines heads it has no epilogue form for, a tail whose dtype is not the output's, and too many extras", async () => {
      const gpu = getBackend(device) as WebGpuBackend;
      const x = { data: gpu.alloc("float32", 6), shape: [2, 3], dtype: "float32" as const, size: 6 };
      const y = { data: gpu.alloc("int32", 2), shape: [2], dtype: "int32" as const, size: 2 };
      const argMax: ResolvedOp<unknown, GpuBuffer> = { def: opTable.argMax as never, inputs: [x], outputs: [y], attrs: { axis: 1 }, device, plan: undefined };
      expect(gpu.fusedEpilogue!(argMax, ir.add(ir.input(0, "int32"), 1), [], y)).toBe(false);
      const s = { data: gpu.alloc("float32", 2), shape: [2], dtype: "float32" as const, size: 2 };
      const sum: ResolvedOp<unknown, GpuBuffer> = { def: opTable.sum as never, inputs: [x], outputs: [s], attrs: { axes: [1], keepDims: false }, device, plan: undefined };
      expect(gpu.fusedEpilogue!(sum, ir.gt(ir.input(0, "float32"), 0), [], s)).toBe(false);
      expect(gpu.fusedEpilogue!(sum, ir.cast(ir.input(0, "float64"), "float64"), [], s)).toBe(false);
      // A matmul binds y, A, B and the params: one extra more than the stage allows is declined.
      const w = { data: gpu.alloc("float32", 9), shape: [3, 3], dtype: "float32" as const, size: 9 };
      const o = { data: gpu.alloc("float32", 9), shape: [3, 3], dtype: "float32" as const, size: 9 };
      const mm: ResolvedOp<unknown, GpuBuffer> = { def: opTable.matmul as never, inputs: [w, w], outputs: [o], attrs: { transposeA: false, transposeB: false }, device, plan: undefined };
      const n = gpu.device.limits.maxStorageBuffersPerShaderStage - 3;
      const extras = Array.from({ length: n }, () => ({ data: gpu.alloc("float32", 1), shape: [1], dtype: "float32" as const, size: 1 }));
      const sumOf = (count: number) => {
        let e = ir.input(0, "float32");
        for (let k = 1; k <= count; k++) e = ir.add(e, ir.input(k, "float32"));
        return e;
      };
      expect(gpu.fusedEpilogue!(mm, sumOf(n), extras, o)).toBe(false);
      expect(gpu.fusedEpilogue!(mm, sumOf(n - 1), extras.slice(1), o)).toBe(true);
      await gpu.sync();
      for (const b of [x, y, s, w, o, ...extras]) gpu.free(b.data);
    });

    it("a compiled MLP step runs its matmul tails as epilogue kernels here and matches eager within 1e-5 over 10 steps", async () => {
      expect(compiledStepMismatch(await compiledMlpSteps(device, 10), device)).toBeNull();
    });
  });
}
