/**
 * Export in headless Chromium: a saved model fetched by URL (a path relative to the page) runs
 * with a dynamic batch, and exports to ONNX bytes in the page.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

describe("export in the browser", () => {
  it("loads a saved model from a URL and predicts at batch 1 and 3", async () => {
    const model = await tf.loadModel("/test/fixtures/saved-model");
    expect(model.inputSignature).toEqual([{ name: "input_0", shape: [null, 2], dtype: "float32" }]);
    expect(await (model.predict([[1, 1]]) as tf.Tensor).array()).toEqual([[4.5, 0, 1.5]]);
    expect((model.predict([[1, 0], [0, 1], [2, 2]]) as tf.Tensor).shape).toEqual([3, 3]);
  });
  it("exports the loaded model to ONNX bytes", async () => {
    const model = await tf.loadModel("/test/fixtures/saved-model");
    const bytes = await tf.onnx.exportModel(model);
    expect(bytes[0]).toBe(0x08); // field 1 (ir_version), varint
    expect(bytes[1]).toBe(8);
    expect(new TextDecoder().decode(bytes)).toContain("dense/kernel");
  });
});
