/**
 * Every op of the table exported to ONNX (one small model per family) and run in
 * onnxruntime-node and onnxruntime-web at batch 1 and 7, against eager within 1e-5 relative;
 * and each as a saved model, which must give eager's values exactly.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { familyCases } from "./op-families.js";
import { checkCase } from "./check-case.js";

describe("ONNX export of every op family", () => {
  for (const c of familyCases) {
    it(`${c.name} runs in both engines like eager`, async () => {
      await checkCase(c, 1e-5);
    }, 120_000);
    it(`${c.name} round-trips as a saved model, giving eager's values exactly`, async () => {
      const model = tf.loadModelFromBytes(await tf.saveModelToBytes(c.target ?? c.fn, { inputSignature: c.signature }));
      for (const n of c.signature.some((s) => s.shape.includes(null)) ? [1, 7] : [0]) {
        const xs = c.inputs(n);
        const got = [model.predict(...xs)].flat(), want = [c.fn(...xs)].flat();
        expect(got.map((t) => t.shape)).toEqual(want.map((t) => t.shape));
        got.forEach((t, i) => expect(t.dataSync()).toEqual(want[i]!.dataSync()));
      }
    });
  }

  it("writes opset 18 too (reductions take their axes as an input there)", async () => {
    const c = familyCases.find((k) => k.name === "reduce")!;
    await checkCase(c, 1e-5, { opset: 18, irVersion: 8 });
  }, 60_000);

  it("uses every op of the table, mapped directly or through its decomposition", () => {
    const { direct, decomposed, unmapped } = tf.onnx.coverage();
    expect(unmapped).toEqual([]);
    expect(direct.length + decomposed.length).toBe(tf.opNames.length);
    const used = new Set<string>();
    const expand = (op: tf.OpName) => decomposed.includes(op);
    for (const c of familyCases)
      for (const e of [undefined, expand]) for (const n of tf.traceProgram(c.fn, c.signature, "coverage", e).nodes) used.add(n.op);
    expect(tf.opNames.filter((o) => !used.has(o))).toEqual([]);
  });

  it("lists every op use it cannot write, with where it was used", async () => {
    const f = (x: tf.Tensor) => [tf.gather(x, tf.tensor([[0], [1]], undefined, "int32"), 1, 1), tf.unsortedSegmentSum(x, tf.tensor([[0, 1], [1, 0]], undefined, "int32"), 2, 1, 1)];
    const err = await tf.onnx.exportModel(f, { inputSignature: [{ shape: [2, 2] }] }).catch((e) => e);
    expect(err).toBeInstanceOf(tf.onnx.OnnxExportError);
    expect(err.unmapped).toHaveLength(2);
    expect(err.message).toMatch(/gather \(node 0: float32\[2,2\], int32\[2,1\] .*batchDims 1/);
    expect(err.message).toMatch(/unsortedSegmentSum \(node 1: .*batchDims 1/);
  });

  it("refuses a constant that depends on the dynamic size, naming the cause", async () => {
    const f = (x: tf.Tensor) => tf.add(x, tf.reshape(tf.range(0, x.shape[0]! * 3), [x.shape[0]!, 3]));
    await expect(tf.onnx.exportModel(f, { inputSignature: [{ shape: [null, 3] }] })).rejects.toThrow(/constant float32\[2, 3\] \(an input of add, node 0\) depends on the dynamic size/);
  });
});
