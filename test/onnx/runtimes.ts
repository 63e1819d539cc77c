/**
 * Run exported ONNX bytes in onnxruntime-node (native CPU) and onnxruntime-web (wasm, in Node),
 * and compare their outputs with eager outputs within a relative tolerance.
 */
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import type { Tensor } from "@eager/core";

ortWeb.env.wasm.numThreads = 1;

/** One engine: takes ONNX bytes and eager input tensors, returns each output's values. */
export interface OnnxRuntime {
  readonly name: string;
  run(bytes: Uint8Array, inputNames: readonly string[], inputs: readonly Tensor[]): Promise<Float64Array[]>;
}
const ORT_TYPE = { float32: "float32", int32: "int32", bool: "bool", float64: "float64" } as const;

function engine(name: string, ort: typeof ortNode | typeof ortWeb): OnnxRuntime {
  return {
    name,
    async run(bytes, inputNames, inputs) {
      const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(bytes);
      const feeds: Record<string, ortNode.Tensor> = {};
      inputs.forEach((t, i) => {
        const data = t.dtype === "bool" ? Uint8Array.from(t.dataSync() as ArrayLike<number>) : t.dataSync();
        feeds[inputNames[i]!] = new (ort.Tensor as typeof ortNode.Tensor)(ORT_TYPE[t.dtype], data as Float32Array, [...t.shape]);
      });
      const out = await session.run(feeds);
      await session.release();
      return session.outputNames.map((n) => Float64Array.from(out[n]!.data as ArrayLike<number>, Number));
    },
  };
}
export const runtimes: readonly OnnxRuntime[] = [engine("onnxruntime-node", ortNode), engine("onnxruntime-web", ortWeb)];

/** Largest |a - b| / max(1, |b|) over the values (NaN equals NaN; a NaN against a number is Infinity). */
export function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    const a = Number(got[i]), b = Number(want[i]);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    m = Math.max(m, Math.abs(a - b) / Math.max(1, Math.abs(b)));
    if (Number.isNaN(m)) return Infinity;
  }
  return m;
}
