/**
 * The example models (seed MNISTModel, MLP, CNN, GRU char-RNN) exported to ONNX and run in onnxruntime-node and
 * onnxruntime-web at batch 1 and 7, against eager within 1e-5 relative; and as saved models.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { checkCase } from "./check-case.js";
import { modelCases } from "./model-cases.js";

describe("ONNX export of the example models", () => {
  for (const c of modelCases) {
    it(`${c.name} runs in both engines like eager`, async () => {
      await checkCase(c, 1e-5);
    }, 120_000);
    it(`${c.name} round-trips as a saved model at batch 1 and 7`, async () => {
      const files = await tf.saveModelToBytes(c.target!, { inputSignature: c.signature });
      console.log(`saved model ${c.name}: model.json ${files.modelJson.length} bytes, weights.safetensors ${files.weights.length} bytes`);
      const model = tf.loadModelFromBytes(files);
      for (const n of [1, 7]) {
        const [x] = c.inputs(n);
        expect(await (model.predict(x!) as tf.Tensor).data()).toEqual(await (c.fn(x!) as tf.Tensor).data());
      }
    }, 60_000);
  }
});
