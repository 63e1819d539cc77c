/**
 * Fused-epilogue tests for a WebGL backend, shared by the Node and browser projects: each head
 * (matmul, reductions, conv2d) with its elementwise tail in one gpu.js kernel agrees with the
 * head and the elementwise ops run apart on the reference backend; other heads are declined, and
 * so are kernels that would read more textures than WebGL binds; a compiled MLP step fuses its
 * tails here and matches eager.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { compiledMlpSteps, compiledStepMismatch, epilogueCases, runEpilogueCase } from "@eager/conformance";
import { getBackend, ir, opTable, type ResolvedOp } from "@eager/core/backend";
import type { WebGlBackend, WebGlBuffer } from "@eager/backend-webgl";

/** Register the epilogue tests for `device` (a WebGL backend, ready). */
export function epilogueTests(device: string): void {
  describe(`fused epilogues on ${device}`, () => {
    // Kernels given an empty input read a one-element placeholder, uploaded (one launch) on first use.
    beforeAll(() => tf.withDevice(device, () => tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 2])).dispose()));
    for (const c of epilogueCases)
      it(c.name, async () => {
        const gl = getBackend(device) as WebGlBackend;
        const r = await runEpilogueCase(device, c, c.dtype === "int32" ? undefined : { atol: 1e-4, rtol: 1e-4 }, () => gl.runtime.launches);
        expect(r.fused).toBe(true);
        expect(r.mismatch).toBeNull();
        // One kernel: the tail ran inside the head's.
        expect(r.counted).toBe(1);
      });

    it("declines other heads, empty reductions and a tail whose dtype is not the output's", () => {
      const gl = getBackend(device) as WebGlBackend;
      const t = (shape: number[], dtype: "float32" | "int32") => ({ data: gl.alloc(dtype, shape.reduce((a, b) => a * b, 1)), shape, dtype, size: shape.reduce((a, b) => a * b, 1) });
      const x = t([2, 3], "float32");
      const y = t([2], "int32");
      const argMax: ResolvedOp<unknown, WebGlBuffer> = { def: opTable.argMax as never, inputs: [x], outputs: [y], attrs: { axis: 1 }, device, plan: undefined };
      expect(gl.fusedEpilogue!(argMax, ir.add(ir.input(0, "int32"), 1), [], y)).toBe(false);
      const s = t([2], "float32");
      const sum: ResolvedOp<unknown, WebGlBuffer> = { def: opTable.sum as never, inputs: [x], outputs: [s], attrs: { axes: [1], keepDims: false }, device, plan: undefined };
      expect(gl.fusedEpilogue!(sum, ir.gt(ir.input(0, "float32"), 0), [], s)).toBe(false);
      const e = t([2, 0], "float32");
      const empty: ResolvedOp<unknown, WebGlBuffer> = { def: opTable.sum as never, inputs: [e], outputs: [s], attrs: { axes: [1], keepDims: false }, device, plan: undefined };
      expect(gl.fusedEpilogue!(empty, ir.add(ir.input(0, "float32"), 1), [], s)).toBe(false);
    });

    it("a compiled MLP step runs its matmul tails as epilogue kernels here and matches eager within 1e-5 over 10 steps", async () => {
      expect(compiledStepMismatch(await compiledMlpSteps(device, 10), device)).toBeNull();
    });

    const limit = (getBackend(device) as WebGlBackend).runtime.maxKernelTensors;
    it.skipIf(!Number.isFinite(limit))(`declines kernels reading more tensors than texture units (${limit}; skipped off WebGL, which has no such limit)`, async () => {
      const gl = getBackend(device) as WebGlBackend;
      const t = (shape: number[], v: number) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const data = gl.alloc("float32", size);
        gl.write(data, new Float32Array(size).fill(v));
        return { data, shape, dtype: "float32" as const, size };
      };
      const a = t([3, 3], 1);
      const o = { data: gl.alloc("float32", 9), shape: [3, 3], dtype: "float32" as const, size: 9 };
      const mm: ResolvedOp<unknown, WebGlBuffer> = { def: opTable.matmul as never, inputs: [a, a], outputs: [o], attrs: { transposeA: false, transposeB: false }, device, plan: undefined };
      const sumOf = (n: number) => Array.from({ length: n }, (_, k) => ir.input(k + 1, "float32")).reduce((e, x) => ir.add(e, x), ir.input(0, "float32"));
      const extras = Array.from({ length: limit - 1 }, (_, k) => t([3], k));
      expect(gl.fusedEpilogue!(mm, sumOf(limit - 1), extras, o)).toBe(false);
      expect(gl.fusedEpilogue!(mm, sumOf(limit - 2), extras.slice(0, -1), o)).toBe(true);
      expect(Array.from(gl.readSync!(o.data, "float32", 9))).toEqual(new Array(9).fill(3 + ((limit - 2) * (limit - 3)) / 2));
      for (const x of [a, o, ...extras]) gl.free(x.data);
      // A fused elementwise unit past the limit runs its ops apart, with the right values.
      const xs = tf.withDevice(device, () => Array.from({ length: limit + 2 }, (_, k) => tf.fill([4], k)));
      const f = tf.compile((...v: tf.Tensor[]) => v.reduce((s, x) => tf.add(s, tf.mul(x, 2))));
      const y = f(...xs);
      expect(y.device).toBe(device);
      expect(Array.from(await y.data())).toEqual(new Array(4).fill((limit + 2) * (limit + 1)));
      for (const x of [...xs, y]) x.dispose();
    });
  });
}
