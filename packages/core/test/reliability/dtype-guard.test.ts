/** Dtype names inherited from Object.prototype are rejected as unknown dtypes everywhere a dtype comes from outside. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { train } from "@eager/core";

const INHERITED = ["toString", "__proto__", "constructor", "valueOf", "hasOwnProperty"];

function safetensorsWithDtype(dtype: string): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ w: { dtype, shape: [1], data_offsets: [0, 4] } }));
  const out = new Uint8Array(8 + header.length + 4);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}

describe("dtype names from outside", () => {
  for (const name of INHERITED) {
    it(`"${name}" is an unknown dtype`, () => {
      expect(() => tf.tensor([1], [1], name as tf.DType)).toThrow(tf.DTypeError);
      expect(() => tf.tensor([1], [1], name as tf.DType)).toThrow(/unknown dtype/);
      expect(() => tf.zeros([2], name as tf.DType)).toThrow(tf.DTypeError);
      expect(() => tf.oneHot(tf.tensor([0, 1], [2], "int32"), 3, 1, 0, name as tf.DType)).toThrow(tf.DTypeError);
      expect(() => train.decodeSafetensors(safetensorsWithDtype(name))).toThrow(train.CheckpointError);
      expect(() => train.decodeSafetensors(safetensorsWithDtype(name))).toThrow(/unsupported dtype/);
    });
  }
});
