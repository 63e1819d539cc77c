/**
 * The example models as export cases (weights built with fixed seeds): the seed MNISTModel, the
 * MLP, the CNN and the GRU char-RNN. Adding a model is one entry.
 */
import * as tf from "@eager/core";
import { CNN, MLP, MNISTModel } from "../../packages/examples/src/mnist/models.js";
import { CharRNN } from "../../packages/examples/src/charrnn/model.js";
import type { ExportCase } from "./op-families.js";

function networkCase(name: string, make: () => tf.Network): ExportCase {
  const net = make();
  net.apply(tf.zeros([1, 784]));
  return { name, target: net, fn: (x) => net.apply(x), signature: [{ shape: [null, 784] }], inputs: (n) => [tf.randomUniform([Math.max(n, 1), 784], 0, 1, "float32", 20 + n)] };
}

/** The char-RNN (vocabulary 57, Embedding(16) -> GRU(64) -> Dense): ids [batch, 32] int32 -> logits [batch, 32, 57]. */
function charRnnCase(): ExportCase {
  const net = new CharRNN({ vocabSize: 57, seed: 1 });
  const ids = (n: number) => tf.tensor(Int32Array.from({ length: n * 32 }, (_, i) => (i * 7 + n * 13 + (i >> 3)) % 57), [n, 32], "int32");
  net.apply(ids(1));
  return { name: "CharRNN (GRU)", target: net, fn: (x) => net.apply(x), signature: [{ shape: [null, 32], dtype: "int32" }], inputs: (n) => [ids(Math.max(n, 1))] };
}

/** The MLP's forward pass as a compiled function (tf.compile): exported from its program's source. */
function compiledCase(): ExportCase {
  const net = new MLP(1);
  net.apply(tf.zeros([1, 784]));
  const f = tf.compile((x: tf.Tensor) => net.apply(x) as tf.Tensor, { inputSignature: [{ shape: [null, 784] }] });
  return { name: "MLP (compiled function)", target: f, fn: f, signature: [{ shape: [null, 784] }], inputs: (n) => [tf.randomUniform([Math.max(n, 1), 784], 0, 1, "float32", 30 + n)] };
}

export const modelCases: readonly ExportCase[] = [
  networkCase("MNISTModel", () => new MNISTModel()),
  networkCase("MLP", () => new MLP(1)),
  networkCase("CNN", () => new CNN({ seed: 1 })),
  charRnnCase(),
  compiledCase(),
];
